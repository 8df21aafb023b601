// SPDX-License-Identifier: GPL-2.0-only
/*
 * AF_UNIX sockets as far as Landlock's hooks depend on them, in net/unix/af_unix.c's order
 * of checks: abstract names bound per socket type in one namespace (the scenario's), listen, a
 * stream or seqpacket connect finding a listener (security_unix_stream_connect), a datagram
 * socket's connect and send finding their receiver by name or as the peer
 * (security_unix_may_send), and a closed socket a peer still points at (SOCK_DEAD).
 *
 * The result is exact up to and including Landlock's verdict, then a datagram queue's limit
 * (EAGAIN: sends never wait), else 0: nothing receives a datagram. What is modelled after the
 * hook is what a later hook's reach depends on: a stream socket's state, a datagram socket's
 * peer, how many datagrams a receive queue holds (a disconnect purges them and resets a peer
 * connected back, whose next send fails with ECONNRESET before the hook), a listener's queued
 * connections, which accept(2) takes oldest first (unix_accept()), and a stream connection's
 * two ends once accepted; and the news each of those is for an O_ASYNC socket's owner
 * (sk_wake_async(): SIGIO through send_sigio(), Landlock's file_send_sigiotask), and a stream
 * socket's urgent byte (MSG_OOB: SIGURG through send_sigurg(), the same hook).
 *
 * Named sockets: a pathname address is a file of the scenario's filesystem, named from the
 * root (the task's working directory): bind makes it (security_path_mknod: Landlock's
 * make_sock), connect and send look it up (unix_find_bsd(): 7.1's security_unix_find, Landlock's
 * RESOLVE_UNIX) and find the socket bound to its inode. A name outside the model's paths
 * (docs/filesystem.md) is ENOENT, as though nothing were there.
 *
 * Not modelled: SO_PASSCRED's autobind, shutdown(2), what a stream send returns (0: no hook
 * judges it).
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

#define UNIX_PATH_OFFSET offsetof(struct sockaddr_un, sun_path)
/* net.unix.max_dgram_qlen in a new network namespace: sk_max_ack_backlog of a datagram socket. */
#define LOCKSTEP_UNIX_MAX_DGRAM_QLEN 10

/* The scenario's network namespace: its bound AF_UNIX sockets, newest first. */
static _Thread_local struct unix_sock *bound_sockets;

static void sock_hold(struct sock *sk)
{
	refcount_inc(&sk->sk_refcnt);
}

static void sock_put(struct sock *sk)
{
	if (!refcount_dec_and_test(&sk->sk_refcnt))
		return;
	kfree(unix_sk(sk)->addr);
	kfree(sk);
}

void lockstep_unix_init(struct sock *sk)
{
	refcount_set(&sk->sk_refcnt, 1);
	sk->sk_state = TCP_CLOSE;
}

static int unix_validate_addr(const struct sockaddr_un *sunaddr, int addr_len)
{
	if (addr_len <= (int)UNIX_PATH_OFFSET || addr_len > (int)sizeof(*sunaddr))
		return -EINVAL;
	if (sunaddr->sun_family != AF_UNIX)
		return -EINVAL;
	return 0;
}

/* unix_find_socket_byname(): the abstract name hashes with the type, so only a socket of
 * @type is found. */
static struct sock *find_abstract(const struct sockaddr_un *sunaddr, int len, int type)
{
	struct unix_sock *u;

	for (u = bound_sockets; u; u = u->lockstep_next_bound) {
		if (u->lockstep_findable && u->sk.sk_type == type && u->addr->len == len &&
		    !memcmp(u->addr->name, sunaddr, (size_t)len))
			return &u->sk;
	}
	return NULL;
}

/* Binds @sk to the @len bytes of the address at @sunaddr (a pathname's may be one byte longer
 * than a sockaddr_un: its terminating NUL, as unix_mkname_bsd() counts it). */
static int set_address(struct sock *sk, const void *sunaddr, int len, bool findable)
{
	struct unix_sock *u = unix_sk(sk);
	struct unix_address *addr = kzalloc(sizeof(*addr) + (size_t)len, GFP_KERNEL);

	if (!addr)
		return -ENOMEM;
	refcount_set(&addr->refcnt, 1);
	addr->len = len;
	memcpy(addr->name, sunaddr, (size_t)len);
	u->addr = addr;
	u->lockstep_findable = findable;
	u->lockstep_next_bound = bound_sockets;
	bound_sockets = u;
	return 0;
}

/* unix_autobind(): the kernel draws a random five-digit name, which a scenario cannot know. */
static int unix_autobind(struct sock *sk)
{
	static const struct sockaddr_un autobound = { .sun_family = AF_UNIX };

	if (unix_sk(sk)->addr)
		return 0;
	return set_address(sk, &autobound, (int)UNIX_PATH_OFFSET + 6, false);
}

/* A pathname address's file name: sun_path up to its first NUL, or all of it
 * (unix_mkname_bsd()). @name has room for sun_path and a NUL. */
static void pathname_of(const struct sockaddr_un *sunaddr, int addr_len, char *name)
{
	size_t n = (size_t)addr_len - UNIX_PATH_OFFSET;

	memcpy(name, sunaddr->sun_path, n);
	name[n] = '\0';
}

/* unix_find_socket_byinode(): the socket bound to a named socket's file. */
static struct sock *find_by_inode(const struct inode *inode)
{
	struct unix_sock *u;

	for (u = bound_sockets; u; u = u->lockstep_next_bound) {
		if (u->path.dentry && d_backing_inode(u->path.dentry) == inode)
			return &u->sk;
	}
	return NULL;
}

/* unix_bind_bsd(): the socket file first (Landlock's make_sock), then the binding; a bound
 * socket's file goes again (EINVAL). An existing name is EADDRINUSE. */
static int unix_bind_bsd(struct sock *sk, const struct sockaddr_un *sunaddr, int addr_len)
{
	/* The address as bound: the family, the path, its NUL. */
	char named[sizeof(struct sockaddr_un) + 1];
	char *name = named + UNIX_PATH_OFFSET;
	unsigned short family = AF_UNIX;
	struct path path;
	int err;

	memcpy(named, &family, sizeof(family));
	pathname_of(sunaddr, addr_len, name);
	if (!lockstep_shim_vfs_model_path(name))
		return -ENOENT;
	err = lockstep_shim_vfs_mksock(name, S_IFSOCK | 0755, &path);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	if (unix_sk(sk)->addr) {
		lockstep_shim_vfs_unmksock(&path);
		return -EINVAL;
	}
	err = set_address(sk, named, (int)(UNIX_PATH_OFFSET + strlen(name) + 1), false);
	if (err) {
		lockstep_shim_vfs_unmksock(&path);
		return err;
	}
	unix_sk(sk)->path = path;
	return 0;
}

/* unix_find_bsd(): the file, a socket file, a socket bound to it, of @type; then the LSM. */
static struct sock *unix_find_bsd(const struct sockaddr_un *sunaddr, int addr_len, int type,
				  int *err)
{
	char name[sizeof(sunaddr->sun_path) + 1];
	struct sock *sk = NULL;
	struct path path;

	pathname_of(sunaddr, addr_len, name);
	if (!lockstep_shim_vfs_model_path(name)) {
		*err = -ENOENT;
		return NULL;
	}
	*err = lockstep_shim_vfs_lookup(name, &path);
	if (*err)
		return NULL;
	*err = -ECONNREFUSED;
	if (S_ISSOCK(d_backing_inode(path.dentry)->i_mode))
		sk = find_by_inode(d_backing_inode(path.dentry));
	if (sk && sk->sk_type != type) {
		*err = -EPROTOTYPE;
		sk = NULL;
	}
	if (sk) {
		*err = security_unix_find(&path, sk, 0);
		if (*err)
			sk = NULL;
	}
	path_put(&path);
	return sk;
}

/* unix_find_other(): by pathname or abstract name; NULL with *@err when none. */
static struct sock *unix_find_other(const struct sockaddr_un *sunaddr, int addr_len, int type,
				    int *err)
{
	struct sock *other;

	if (sunaddr->sun_path[0])
		return unix_find_bsd(sunaddr, addr_len, type, err);
	other = find_abstract(sunaddr, addr_len, type);
	*err = other ? 0 : -ECONNREFUSED;
	return other;
}

int lockstep_unix_bind(struct sock *sk, const struct sockaddr *address, int addr_len)
{
	const struct sockaddr_un *sunaddr = (const struct sockaddr_un *)address;
	int err;

	if (addr_len == (int)UNIX_PATH_OFFSET && sunaddr->sun_family == AF_UNIX)
		return unix_autobind(sk);
	err = unix_validate_addr(sunaddr, addr_len);
	if (err)
		return err;
	if (sunaddr->sun_path[0])
		return unix_bind_bsd(sk, sunaddr, addr_len);
	if (unix_sk(sk)->addr)
		return -EINVAL;
	if (find_abstract(sunaddr, addr_len, sk->sk_type))
		return -EADDRINUSE;
	return set_address(sk, sunaddr, addr_len, true);
}

int lockstep_unix_listen(struct sock *sk)
{
	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (!unix_sk(sk)->addr)
		return -EINVAL;
	if (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN)
		return -EINVAL;
	sk->sk_state = TCP_LISTEN;
	return 0;
}

/* The sock of a connection's embryo (unix_create1()), freed with its last reference, with room
 * for the listener's address (the kernel shares it; here a copy, made under the locks). */
static struct sock *unix_create_embryo(int type)
{
	struct unix_sock *u = kzalloc(sizeof(*u), GFP_KERNEL);

	if (!u)
		return NULL;
	u->addr = kzalloc(sizeof(*u->addr) + sizeof(struct sockaddr_un) + 1, GFP_KERNEL);
	if (!u->addr) {
		kfree(u);
		return NULL;
	}
	u->sk.sk_family = AF_UNIX;
	u->sk.sk_type = (u16)type;
	lockstep_unix_init(&u->sk);
	return &u->sk;
}

/* unix_stream_connect(), for SOCK_STREAM and SOCK_SEQPACKET. */
static int unix_stream_connect(struct sock *sk, const struct sockaddr_un *sunaddr, int addr_len)
{
	struct lockstep_unix_embryo *embryo, **tail;
	struct sock *other, *newsk;
	int err;

	err = unix_validate_addr(sunaddr, addr_len);
	if (err)
		return err;
	/* unix_create1() of the embryo (the hook's third argument, the sock accept() gives a
	 * socket), before the listener is looked up. */
	embryo = kzalloc(sizeof(*embryo), GFP_KERNEL);
	newsk = embryo ? unix_create_embryo(sk->sk_type) : NULL;
	if (!newsk) {
		kfree(embryo);
		return -ENOMEM;
	}
	embryo->sk = newsk;
	other = unix_find_other(sunaddr, addr_len, sk->sk_type, &err);
	if (!other)
		goto out;
	err = -ECONNREFUSED;
	if (other->sk_state != TCP_LISTEN)
		goto out;
	/* A listening or connected socket does not connect (a listener finding itself included). */
	if (sk->sk_state != TCP_CLOSE) {
		err = sk->sk_state == TCP_ESTABLISHED ? -EISCONN : -EINVAL;
		goto out;
	}
	unix_state_lock(other);
	unix_state_lock(sk);
	err = security_unix_stream_connect(sk, other, newsk);
	if (!err) {
		/* The connection waits on the listener's queue, its embryo paired with @sk and
		 * given the listener's address. */
		const struct unix_address *addr = unix_sk(other)->addr;

		memcpy(unix_sk(newsk)->addr, addr, sizeof(*addr) + (size_t)addr->len);
		sock_hold(sk);
		embryo->peer = sk;
		for (tail = &unix_sk(other)->lockstep_embryos; *tail; tail = &(*tail)->next)
			;
		*tail = embryo;
		embryo = NULL;
		newsk = NULL;
		sk->sk_state = TCP_ESTABLISHED;
	}
	unix_state_unlock(sk);
	unix_state_unlock(other);
	if (!err)
		lockstep_shim_sk_wake_async(other, LOCKSTEP_POLL_IN); /* sk_data_ready() */
out:
	if (newsk)
		sock_put(newsk);
	kfree(embryo);
	return err;
}

int lockstep_unix_accept(struct sock *sk, struct socket *newsock)
{
	struct lockstep_unix_embryo *embryo;
	struct sock *tsk, *client;

	if (sk->sk_type != SOCK_STREAM && sk->sk_type != SOCK_SEQPACKET)
		return -EOPNOTSUPP;
	if (sk->sk_state != TCP_LISTEN)
		return -EINVAL;
	/* skb_recv_datagram() without waiting: the oldest connection, or none. */
	embryo = unix_sk(sk)->lockstep_embryos;
	if (!embryo)
		return -EAGAIN;
	unix_sk(sk)->lockstep_embryos = embryo->next;
	tsk = embryo->sk;
	client = embryo->peer;
	kfree(embryo);
	/* The two ends point at each other (the embryo's hold on the client is the accepted
	 * socket's now); a client that closed since left the embryo shut down. */
	tsk->sk_state = TCP_ESTABLISHED;
	unix_sk(tsk)->peer = client;
	if (sock_flag(client, SOCK_DEAD)) {
		tsk->sk_shutdown = SHUTDOWN_MASK;
	} else {
		sock_hold(tsk);
		unix_sk(client)->peer = tsk;
	}
	/* sock_graft() */
	newsock->sk = tsk;
	tsk->sk_socket = newsock;
	return 0;
}

/* unix_may_send(): a socket connected to another takes datagrams from that one only. */
static bool unix_may_send(struct sock *sk, struct sock *osk)
{
	return !unix_peer(osk) || unix_peer(osk) == sk;
}

static void unix_state_double_lock(struct sock *sk1, struct sock *sk2)
{
	unix_state_lock(sk1);
	if (sk2 != sk1)
		unix_state_lock(sk2);
}

static void unix_state_double_unlock(struct sock *sk1, struct sock *sk2)
{
	if (sk2 != sk1)
		unix_state_unlock(sk2);
	unix_state_unlock(sk1);
}

/* unix_dgram_disconnected(): @sk leaves @other; its unread datagrams go, and a live @other
 * connected back to it learns so at its next send (sk_error_report(): news for its owner). */
static void unix_dgram_disconnected(struct sock *sk, struct sock *other)
{
	if (!unix_sk(sk)->lockstep_queue_len)
		return;
	unix_sk(sk)->lockstep_queue_len = 0;
	if (!sock_flag(other, SOCK_DEAD) && unix_peer(other) == sk) {
		other->sk_err = ECONNRESET;
		lockstep_shim_sk_wake_async(other, LOCKSTEP_POLL_ERR);
	}
}

/* unix_dgram_connect(): AF_UNSPEC disconnects; a new peer replaces the old one. */
static int unix_dgram_connect(struct sock *sk, const struct sockaddr_un *sunaddr, int alen)
{
	struct sock *other = NULL, *old_peer;
	int err;

	if (alen < (int)offsetofend(struct sockaddr, sa_family))
		return -EINVAL;
	if (sunaddr->sun_family != AF_UNSPEC) {
		err = unix_validate_addr(sunaddr, alen);
		if (err)
			return err;
		other = unix_find_other(sunaddr, alen, sk->sk_type, &err);
		if (!other)
			return err;
		unix_state_double_lock(sk, other);
		err = unix_may_send(sk, other) ? 0 : -EPERM;
		if (!err)
			err = security_unix_may_send(sk->sk_socket, other->sk_socket);
		unix_state_double_unlock(sk, other);
		if (err)
			return err;
		sock_hold(other);
	}
	old_peer = unix_peer(sk);
	unix_sk(sk)->peer = other;
	if (old_peer) {
		if (other != old_peer)
			unix_dgram_disconnected(sk, old_peer);
		sock_put(old_peer);
	}
	return 0;
}

int lockstep_unix_connect(struct sock *sk, const struct sockaddr *address, int addr_len)
{
	const struct sockaddr_un *sunaddr = (const struct sockaddr_un *)address;

	if (sk->sk_type == SOCK_DGRAM)
		return unix_dgram_connect(sk, sunaddr, addr_len);
	return unix_stream_connect(sk, sunaddr, addr_len);
}

/* unix_stream_sendmsg() of one urgent byte (MSG_OOB): queue_oob() to the peer, whose file's
 * owner gets SIGURG (sk_send_sigurg()), then SIGIO as for any data (sk_data_ready()). What
 * stops it first is not modelled beyond that: an address (EISCONN or EOPNOTSUPP), no peer
 * socket (ENOTCONN; an embryo not accepted yet has no file to signal), a connection shut down
 * (EPIPE). */
static void unix_stream_send_oob(struct sock *sk, int namelen)
{
	struct sock *other = unix_peer(sk);

	if (namelen || !other || (sk->sk_shutdown & SEND_SHUTDOWN))
		return;
	unix_state_lock(other);
	if (sock_flag(other, SOCK_DEAD) || (other->sk_shutdown & RCV_SHUTDOWN)) {
		unix_state_unlock(other);
		return;
	}
	lockstep_shim_sk_send_sigurg(other);
	unix_state_unlock(other);
	lockstep_shim_sk_wake_async(other, LOCKSTEP_POLL_IN); /* sk_data_ready() */
}

/* unix_dgram_sendmsg() of a zero-length datagram, up to the hook; stream and seqpacket sends
 * reach no hook (0), a stream socket's urgent byte is news for its peer. */
int lockstep_unix_sendmsg(struct sock *sk, const struct sockaddr *address, int namelen,
			  unsigned int flags)
{
	const struct sockaddr_un *sunaddr = (const struct sockaddr_un *)address;
	struct sock *other;
	int err;

	if (sk->sk_type != SOCK_DGRAM) {
		if (sk->sk_type == SOCK_STREAM && (flags & MSG_OOB))
			unix_stream_send_oob(sk, namelen);
		return 0;
	}
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (namelen) {
		err = unix_validate_addr(sunaddr, namelen);
		if (err)
			return err;
	}
	/* sock_alloc_send_pskb(): a pending error is returned, and cleared, first. */
	if (sk->sk_err) {
		err = -sk->sk_err;
		sk->sk_err = 0;
		return err;
	}
	if (namelen) {
		other = unix_find_other(sunaddr, namelen, sk->sk_type, &err);
		if (!other)
			return err;
	} else {
		other = unix_peer(sk);
		if (!other)
			return -ENOTCONN;
	}
	unix_state_lock(other);
	if (!unix_may_send(sk, other)) {
		unix_state_unlock(other);
		return -EPERM;
	}
	if (sock_flag(other, SOCK_DEAD)) {
		/* Only the peer can be dead (a name goes with its socket): forget it. */
		unix_state_unlock(other);
		unix_sk(sk)->peer = NULL;
		unix_dgram_disconnected(sk, other);
		sock_put(other);
		return -ECONNREFUSED;
	}
	err = security_unix_may_send(sk->sk_socket, other->sk_socket);
	if (err) {
		unix_state_unlock(other);
		return err;
	}
	/* A full queue (longer than net.unix.max_dgram_qlen, 10) takes nothing from a sender
	 * that is not its socket's peer; the send never waits (MSG_DONTWAIT). */
	if (other != sk && unix_peer(other) != sk &&
	    unix_sk(other)->lockstep_queue_len > LOCKSTEP_UNIX_MAX_DGRAM_QLEN) {
		unix_state_unlock(other);
		return -EAGAIN;
	}
	unix_sk(other)->lockstep_queue_len++;
	unix_state_unlock(other);
	lockstep_shim_sk_wake_async(other, LOCKSTEP_POLL_IN); /* sk_data_ready() */
	return 0;
}

/* unix_release_sock(): the name goes, the peer is let go, and the sock lives on, dead, while a
 * datagram peer still points at it. */
void lockstep_unix_release(struct sock *sk)
{
	struct unix_sock **link, *u = unix_sk(sk);
	struct sock *peer = unix_peer(sk);

	for (link = &bound_sockets; *link; link = &(*link)->lockstep_next_bound) {
		if (*link == u) {
			*link = u->lockstep_next_bound;
			break;
		}
	}
	sk->sk_flags |= 1UL << SOCK_DEAD;
	sk->sk_state = TCP_CLOSE;
	sk->sk_socket = NULL;
	u->peer = NULL;
	if (u->path.dentry) {
		path_put(&u->path);
		u->path.dentry = NULL;
	}
	/* A stream connection's other end is shut down and hears the hang-up. */
	if (peer && sk->sk_type != SOCK_DGRAM) {
		unix_state_lock(peer);
		peer->sk_shutdown = SHUTDOWN_MASK;
		unix_state_unlock(peer);
		lockstep_shim_sk_wake_async(peer, LOCKSTEP_POLL_HUP);
	}
	if (peer)
		sock_put(peer);
	/* A listener's queued connections go, oldest first: each embryo's release tells its peer,
	 * the connecting socket, that it hung up. */
	while (u->lockstep_embryos) {
		struct lockstep_unix_embryo *embryo = u->lockstep_embryos;
		struct sock *client = embryo->peer;

		u->lockstep_embryos = embryo->next;
		client->sk_shutdown = SHUTDOWN_MASK;
		client->sk_err = ECONNRESET;
		lockstep_shim_sk_wake_async(client, LOCKSTEP_POLL_HUP);
		sock_put(client);
		embryo->sk->sk_flags |= 1UL << SOCK_DEAD;
		sock_put(embryo->sk);
		kfree(embryo);
	}
	sock_put(sk);
}
