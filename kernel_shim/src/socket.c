// SPDX-License-Identifier: GPL-2.0-only
/*
 * The socket layer around Landlock's hooks: socket(2) creates a socket file whose sock carries
 * the family, type and protocol inet_create()/unix_create() would give it; bind(2), connect(2)
 * and sendto(2) do the kernel's fd and address checks (net/socket.c order), copy the address
 * into a kernel buffer and call the LSM hooks. The result is Landlock's verdict: the inet stacks
 * are not modelled beyond the ports the hooks read; AF_UNIX sockets are, as far as the scope
 * hooks depend on them (src/unix.c).
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

/* MSG_SPLICE_PAGES | MSG_SENDPAGE_NOPOLICY | MSG_SENDPAGE_DECRYPTED: never from user space. */
#define MSG_INTERNAL_SENDMSG_FLAGS (0x08000000u | 0x10000u | 0x100000u)
#define SOCK_MAX (SOCK_PACKET + 1)

static int sock_close(struct inode *inode, struct file *file)
{
	struct socket *sock = file->private_data;

	(void)inode;
	if (!sock->sk)
		; /* an accept that failed: no sock was grafted */
	else if (sock->sk->sk_family == AF_UNIX)
		lockstep_unix_release(sock->sk); /* freed with its last reference */
	else
		kfree(sock->sk);
	kfree(sock);
	return 0;
}

/* sock_fasync(): the file joins (leaves) the socket's fasync list, which has room for its one
 * file; SOCK_FASYNC says whether the list is empty. */
static int sock_fasync(int fd, struct file *filp, int on)
{
	struct socket *sock = filp->private_data;

	(void)fd;
	if (on)
		sock->sk->sk_flags |= 1UL << SOCK_FASYNC;
	else
		sock->sk->sk_flags &= ~(1UL << SOCK_FASYNC);
	return 0;
}

static const struct file_operations socket_file_ops = {
	.release = sock_close,
	.fasync = sock_fasync,
};

void lockstep_shim_sk_wake_async(struct sock *sk, int band)
{
	struct socket *sock = sk->sk_socket;

	/* sk_wake_async() -> sock_wake_async() -> kill_fasync(): no reader ever waits here, so
	 * every wake-up reaches the fasync list (SOCKWQ_ASYNC_WAITDATA is never set). */
	if (!sock_flag(sk, SOCK_FASYNC) || !sock || !sock->file || !file_f_owner(sock->file))
		return;
	rcu_read_lock();
	send_sigio(file_f_owner(sock->file), -1, band);
	rcu_read_unlock();
}

void lockstep_shim_sk_send_sigurg(struct sock *sk)
{
	/* send_sigurg() returns whether the file has an owner; sk_wake_async(SOCK_WAKE_URG) then
	 * reaches kill_fasync() with SIGURG, which sends nothing to an owner without F_SETSIG. */
	if (sk->sk_socket && sk->sk_socket->file)
		send_sigurg(sk->sk_socket->file);
}

static struct super_block sockfs_sb = { .s_flags = SB_NOUSER };
static struct vfsmount sockfs_mnt = { .mnt_flags = MNT_INTERNAL, .mnt_sb = &sockfs_sb };
static struct inode sockfs_inode = { .i_sb = &sockfs_sb };
static struct dentry sockfs_dentry = { .d_inode = &sockfs_inode, .d_sb = &sockfs_sb };

/* An AF_UNIX socket whose stack src/unix.c models (not a hybrid engine's mirror). */
static bool unix_modelled(const struct socket *sock)
{
	return sock->sk->sk_family == AF_UNIX && !sock->lockstep_mirror;
}

static struct socket *sock_from_file(struct file *file)
{
	return file->f_op == &socket_file_ops ? file->private_data : NULL;
}

/* The protocol the family's create() settles on, or -errno. */
static int resolve_protocol(int family, int type, int protocol)
{
	switch (family) {
	case AF_INET:
	case AF_INET6:
		switch (type) {
		case SOCK_STREAM:
			if (protocol == 0 || protocol == IPPROTO_TCP)
				return IPPROTO_TCP;
			if (protocol == IPPROTO_MPTCP)
				return IPPROTO_MPTCP;
			return -EPROTONOSUPPORT;
		case SOCK_DGRAM:
			if (protocol == 0 || protocol == IPPROTO_UDP)
				return IPPROTO_UDP;
			if (protocol == IPPROTO_UDPLITE)
				return IPPROTO_UDPLITE;
			return -EPROTONOSUPPORT;
		case SOCK_RAW:
			/* Raw sockets need CAP_NET_RAW, which a task of this model never has. */
			return -EPERM;
		default:
			return -ESOCKTNOSUPPORT;
		}
	case AF_UNIX:
		if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
			return -ESOCKTNOSUPPORT;
		if (protocol && protocol != PF_UNIX)
			return -EPROTONOSUPPORT;
		return 0;
	default:
		return -EAFNOSUPPORT;
	}
}

long lockstep_shim_socket(int family, int type, int protocol)
{
	struct path path = { .mnt = &sockfs_mnt, .dentry = &sockfs_dentry };
	int flags = type & ~SOCK_TYPE_MASK;
	struct socket *sock;
	struct file *file;
	int proto;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	type &= SOCK_TYPE_MASK;
	if (family < 0 || family >= AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX)
		return -EINVAL;
	proto = resolve_protocol(family, type, protocol);
	if (proto < 0)
		return proto;

	sock = kzalloc(sizeof(*sock), GFP_KERNEL);
	if (!sock)
		return -ENFILE;
	sock->type = (short)type;
	/* The family's own sock (inet_sk(), unix_sk() are container_of on it), no bigger: an inet
	 * one stays in the allocator's small bins (the perf gate's task workloads make one per
	 * socket op). */
	sock->sk = kzalloc(family == AF_UNIX ? sizeof(struct unix_sock) : sizeof(struct inet_sock),
			   GFP_KERNEL);
	if (!sock->sk) {
		kfree(sock);
		return -ENOBUFS;
	}
	sock->sk->sk_socket = sock;
	sock->sk->sk_family = (unsigned short)family;
	sock->sk->sk_type = (u16)type;
	sock->sk->sk_protocol = (u16)proto;
	if (family == AF_UNIX)
		lockstep_unix_init(sock->sk);

	file = lockstep_shim_alloc_file(&socket_file_ops, path, FMODE_READ | FMODE_WRITE,
					O_RDWR | (flags & O_NONBLOCK), sock);
	if (!file) {
		kfree(sock->sk);
		kfree(sock);
		return -ENFILE;
	}
	sock->file = file;
	return lockstep_shim_fd_install(file, flags & SOCK_CLOEXEC);
}

struct socket *lockstep_shim_socket_of_fd(int fd)
{
	CLASS(fd, f)(fd);

	return fd_empty(f) ? NULL : sock_from_file(fd_file(f));
}

/*
 * move_addr_to_kernel(): the kernel copies into a 128-byte sockaddr_storage on its stack. Here the
 * buffer is exactly @addrlen bytes of heap, so a hook reading past @addrlen is an ASan report
 * instead of a silent read of stale stack bytes.
 */
static int move_addr_to_kernel(const void __user *uaddr, int ulen, struct sockaddr **kaddr)
{
	*kaddr = NULL;
	if (ulen < 0 || ulen > (int)sizeof(struct sockaddr_storage))
		return -EINVAL;
	*kaddr = lockstep_host_alloc((size_t)ulen, 1);
	if (ulen == 0)
		return 0;
	if (copy_from_user(*kaddr, uaddr, (unsigned long)ulen)) {
		lockstep_host_free(*kaddr);
		*kaddr = NULL;
		return -EFAULT;
	}
	return 0;
}

/*
 * The stack's side of binding, as far as Landlock can see it (the autobind check of 7.x's UDP
 * hooks reads inet_sk(sk)->inet_num): an inet socket whose bind(2) the hooks allowed takes the
 * address's port when the stack would accept the address (its own family and length, or, for
 * IPv4, AF_UNSPEC with INADDR_ANY), an ephemeral port for port 0. A UDP socket that connects or
 * sends to such an address without a port gets an ephemeral one (autobind).
 */
#define LOCKSTEP_EPHEMERAL_PORT 32768

static bool stack_takes_address(const struct sock *sk, const struct sockaddr *address,
				int addrlen, u16 *port)
{
	const u8 *raw = (const u8 *)address;

	if (!sk_is_inet(sk) || addrlen < 2)
		return false;
	if (address->sa_family == sk->sk_family) {
		if (addrlen < (sk->sk_family == AF_INET ? (int)sizeof(struct sockaddr_in)
							  : SIN6_LEN_RFC2133))
			return false;
	} else if (address->sa_family == AF_UNSPEC && sk->sk_family == AF_INET) {
		if (addrlen < (int)sizeof(struct sockaddr_in) ||
		    raw[4] | raw[5] | raw[6] | raw[7])
			return false;
	} else {
		return false;
	}
	*port = (u16)(raw[2] << 8 | raw[3]);
	return true;
}

/* The socket's address in the stack (what lsm_audit.c logs of it): the local one, or the peer's. */
static void set_stack_address(struct sock *sk, const struct sockaddr *address, u16 port,
			      bool local)
{
	struct inet_sock *inet = inet_sk(sk);
	const u8 *raw = (const u8 *)address;

	if (local)
		inet->inet_sport = cpu_to_be16(port);
	else
		inet->inet_dport = cpu_to_be16(port);
	if (address->sa_family == AF_INET6)
		memcpy(local ? &sk->sk_v6_rcv_saddr : &sk->sk_v6_daddr, raw + 8, 16);
	else if (sk->sk_family == AF_INET)
		memcpy(local ? &inet->inet_rcv_saddr : &inet->inet_daddr, raw + 4, 4);
}

/* Whether getsockname(2)/getpeername(2) gave an address of @sk's (its port in @port). */
static bool real_address(const struct sock *sk, const struct sockaddr *address, int len,
			 u16 *port)
{
	const u8 *raw = (const u8 *)address;

	if (!address || len < 2)
		return false;
	if (!(address->sa_family == AF_INET && sk->sk_family == AF_INET &&
	      len >= (int)sizeof(struct sockaddr_in)) &&
	    !(address->sa_family == AF_INET6 && len >= SIN6_LEN_RFC2133))
		return false;
	*port = (u16)(raw[2] << 8 | raw[3]);
	return true;
}

void lockstep_shim_socket_mirror(struct socket *sock, const void *local, int local_len,
				 const void *peer, int peer_len)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet;
	u16 port;

	sock->lockstep_mirror = true;
	if (!sk_is_inet(sk))
		return;
	inet = inet_sk(sk);
	inet->inet_sport = inet->inet_dport = 0;
	inet->inet_rcv_saddr = inet->inet_daddr = 0;
	memset(&sk->sk_v6_rcv_saddr, 0, sizeof(sk->sk_v6_rcv_saddr));
	memset(&sk->sk_v6_daddr, 0, sizeof(sk->sk_v6_daddr));
	if (real_address(sk, local, local_len, &port))
		set_stack_address(sk, local, port, true);
	if (real_address(sk, peer, peer_len, &port))
		set_stack_address(sk, peer, port, false);
	inet->inet_num = be16_to_cpu(inet->inet_sport);
}

/*
 * A UDP socket's connect(AF_UNSPEC) (inet_dgram_connect -> udp_disconnect): the peer goes, and a
 * port no bind asked for (autobound, or bound to port 0) is released: the next connect or send
 * meets 7.x's autobind check again.
 */
static void udp_disconnect(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	memset(&sk->sk_v6_daddr, 0, sizeof(sk->sk_v6_daddr));
	if (!(sk->sk_userlocks & SOCK_BINDADDR_LOCK)) {
		inet->inet_rcv_saddr = 0;
		memset(&sk->sk_v6_rcv_saddr, 0, sizeof(sk->sk_v6_rcv_saddr));
	}
	if (!(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) {
		inet->inet_num = 0;
		inet->inet_sport = 0;
	}
}

/* Called after every allowed connect or send: a stream socket (the common case) leaves at once. */
static inline void autobind(struct sock *sk, const struct sockaddr *address, int addrlen,
			    bool connecting)
{
	u16 port;

	if (sk->sk_type != SOCK_DGRAM || !sk_is_udp(sk) || !address || addrlen < 2)
		return;
	if (address->sa_family == AF_UNSPEC) {
		if (connecting)
			udp_disconnect(sk);
		return;
	}
	if (!stack_takes_address(sk, address, addrlen, &port))
		return;
	if (!inet_sk(sk)->inet_num) {
		inet_sk(sk)->inet_num = LOCKSTEP_EPHEMERAL_PORT;
		inet_sk(sk)->inet_sport = cpu_to_be16(LOCKSTEP_EPHEMERAL_PORT);
	}
	/* The source address the route picks is not modelled: the local one stays. */
	if (connecting)
		set_stack_address(sk, address, port, false);
}

long lockstep_shim_bind(int fd, const void __user *uaddr, int addrlen)
{
	u16 port;
	CLASS(fd, f)(fd);
	struct sockaddr *address;
	struct socket *sock;
	int err;

	if (fd_empty(f))
		return -EBADF;
	sock = sock_from_file(fd_file(f));
	if (!sock)
		return -ENOTSOCK;
	err = move_addr_to_kernel(uaddr, addrlen, &address);
	if (err)
		return err;
	err = security_socket_bind(sock, address, addrlen);
	if (!err && unix_modelled(sock))
		err = lockstep_unix_bind(sock->sk, address, addrlen);
	if (!err && stack_takes_address(sock->sk, address, addrlen, &port) &&
	    !inet_sk(sock->sk)->inet_num) {
		inet_sk(sock->sk)->inet_num = port ? port : LOCKSTEP_EPHEMERAL_PORT;
		set_stack_address(sock->sk, address, inet_sk(sock->sk)->inet_num, true);
		if (port)
			sock->sk->sk_userlocks |= SOCK_BINDPORT_LOCK;
		if (inet_sk(sock->sk)->inet_rcv_saddr ||
		    memchr_inv(&sock->sk->sk_v6_rcv_saddr, 0, sizeof(struct in6_addr)))
			sock->sk->sk_userlocks |= SOCK_BINDADDR_LOCK;
	}
	lockstep_host_free(address);
	return err;
}

long lockstep_shim_connect(int fd, const void __user *uaddr, int addrlen)
{
	CLASS(fd, f)(fd);
	struct sockaddr *address;
	struct socket *sock;
	int err;

	if (fd_empty(f))
		return -EBADF;
	err = move_addr_to_kernel(uaddr, addrlen, &address);
	if (err)
		return err;
	sock = sock_from_file(fd_file(f));
	if (!sock)
		err = -ENOTSOCK;
	else
		err = security_socket_connect(sock, address, addrlen);
	if (!err && sock && unix_modelled(sock))
		err = lockstep_unix_connect(sock->sk, address, addrlen);
	if (!err && sock)
		autobind(sock->sk, address, addrlen, true);
	lockstep_host_free(address);
	return err;
}

long lockstep_shim_sendto(int fd, const void __user *uaddr, int addrlen, unsigned int flags)
{
	CLASS(fd, f)(fd);
	struct msghdr msg = { 0 };
	struct sockaddr *address = NULL;
	struct socket *sock;
	int err;

	if (fd_empty(f))
		return -EBADF;
	sock = sock_from_file(fd_file(f));
	if (!sock)
		return -ENOTSOCK;
	if (uaddr) {
		err = move_addr_to_kernel(uaddr, addrlen, &address);
		if (err < 0)
			return err;
		msg.msg_name = address;
		msg.msg_namelen = addrlen;
	}
	flags &= ~MSG_INTERNAL_SENDMSG_FLAGS;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	msg.msg_flags = flags;
	/* A zero-length send, or one urgent byte with MSG_OOB (engine/ops.h). */
	err = security_socket_sendmsg(sock, &msg, (flags & MSG_OOB) ? 1 : 0);
	if (!err && unix_modelled(sock))
		err = lockstep_unix_sendmsg(sock->sk, address, msg.msg_namelen, flags);
	if (!err)
		autobind(sock->sk, address, addrlen, false);
	lockstep_host_free(address);
	return err;
}

long lockstep_shim_accept(int fd, unsigned int flags)
{
	struct path path = { .mnt = &sockfs_mnt, .dentry = &sockfs_dentry };
	CLASS(fd, f)(fd);
	struct socket *sock, *newsock;
	struct file *file;
	int err;

	if (fd_empty(f))
		return -EBADF;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	/* get_unused_fd_flags() comes first: a full table is EMFILE, the connection still queued. */
	if (!lockstep_shim_fd_available())
		return -EMFILE;
	sock = sock_from_file(fd_file(f));
	if (!sock)
		return -ENOTSOCK;
	/* do_accept(): sock_alloc() (ENFILE), sock_alloc_file(), then the family's accept. */
	newsock = kzalloc(sizeof(*newsock), GFP_KERNEL);
	if (!newsock)
		return -ENFILE;
	newsock->type = sock->type;
	file = lockstep_shim_alloc_file(&socket_file_ops, path, FMODE_READ | FMODE_WRITE,
					O_RDWR | (flags & O_NONBLOCK), newsock);
	if (!file) {
		kfree(newsock);
		return -ENOMEM; /* alloc_file_pseudo() */
	}
	newsock->file = file;
	/* No LSM of the model hooks socket_accept. Another family's stack is not modelled: a
	 * stream socket answers as one that does not listen (EINVAL), any other has no accept. */
	if (unix_modelled(sock))
		err = lockstep_unix_accept(sock->sk, newsock);
	else
		err = sock->type == SOCK_STREAM ? -EINVAL : -EOPNOTSUPP;
	if (err) {
		fput(file);
		return err;
	}
	return lockstep_shim_fd_install(file, flags & SOCK_CLOEXEC);
}

long lockstep_shim_listen(int fd)
{
	CLASS(fd, f)(fd);
	struct socket *sock;

	if (fd_empty(f))
		return -EBADF;
	sock = sock_from_file(fd_file(f));
	if (!sock)
		return -ENOTSOCK;
	/* No LSM of the model hooks socket_listen; the inet stacks' states are not modelled. */
	if (unix_modelled(sock))
		return lockstep_unix_listen(sock->sk);
	return 0;
}
