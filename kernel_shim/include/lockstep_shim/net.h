/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net.h: socket addresses (faithful uapi layouts) and the slice of struct socket / struct sock
 * that Landlock's hooks read. Modelled, not duplicated: a socket here is its family, type and
 * protocol, which is all the hooks look at.
 */
#ifndef LOCKSTEP_SHIM_NET_H
#define LOCKSTEP_SHIM_NET_H

#include "lockstep_shim/vfs.h"

/* Address families (linux/socket.h). */
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_LOCAL AF_UNIX
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17
#define AF_MAX 46
#define PF_UNSPEC AF_UNSPEC
#define PF_UNIX AF_UNIX
#define PF_INET AF_INET
#define PF_INET6 AF_INET6

/* Socket types (linux/net.h). */
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_RAW 3
#define SOCK_RDM 4
#define SOCK_SEQPACKET 5
#define SOCK_DCCP 6
#define SOCK_PACKET 10
#define SOCK_TYPE_MASK 0xf
#define SOCK_CLOEXEC O_CLOEXEC
#define SOCK_NONBLOCK O_NONBLOCK

/* Protocols (uapi linux/in.h). */
#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_SCTP 132
#define IPPROTO_UDPLITE 136
#define IPPROTO_RAW 255
#define IPPROTO_MPTCP 262

#define MSG_OOB 1
#define MSG_DONTWAIT 0x40
#define MSG_FASTOPEN 0x20000000

struct sockaddr {
	sa_family_t sa_family;
	char sa_data[14];
};

#define _K_SS_MAXSIZE 128
struct __kernel_sockaddr_storage {
	union {
		struct {
			sa_family_t ss_family;
			char __data[_K_SS_MAXSIZE - sizeof(unsigned short)];
		};
		void *__align;
	};
};
#define sockaddr_storage __kernel_sockaddr_storage

struct in_addr {
	__be32 s_addr;
};
#define INADDR_ANY ((unsigned long int)0x00000000)
#define INADDR_LOOPBACK ((unsigned long int)0x7f000001)
#define __SOCK_SIZE__ 16
struct sockaddr_in {
	sa_family_t sin_family;
	__be16 sin_port;
	struct in_addr sin_addr;
	unsigned char __pad[__SOCK_SIZE__ - sizeof(short int) - sizeof(unsigned short int) -
			    sizeof(struct in_addr)];
};

struct in6_addr {
	union {
		__u8 u6_addr8[16];
		__be16 u6_addr16[8];
		__be32 u6_addr32[4];
	} in6_u;
};
struct sockaddr_in6 {
	unsigned short int sin6_family;
	__be16 sin6_port;
	__be32 sin6_flowinfo;
	struct in6_addr sin6_addr;
	__u32 sin6_scope_id;
};
/* An IPv6 address without sin6_scope_id, the shortest one the stack accepts (RFC 2133). */
#define SIN6_LEN_RFC2133 24

struct msghdr {
	void *msg_name;
	int msg_namelen;
	unsigned int msg_flags;
};

struct socket;
struct sock {
	unsigned short sk_family;
	u16 sk_type;
	u16 sk_protocol;
	unsigned long sk_flags; /* SOCK_* bits (sock_flag) */
	struct socket *sk_socket;
	/* SOCK_BINDPORT_LOCK, SOCK_BINDADDR_LOCK: a bind asked for a nonzero port, a specific
	 * address (udp_disconnect keeps them). */
	unsigned char sk_userlocks;
	/* An IPv6 socket's bound and connected addresses (sock_common's), which lsm_audit.c logs. */
	struct in6_addr sk_v6_rcv_saddr;
	struct in6_addr sk_v6_daddr;
	/* AF_UNIX (src/unix.c): TCP_CLOSE, TCP_LISTEN or TCP_ESTABLISHED; which ways a stream
	 * connection was shut down (its peer closed: SHUTDOWN_MASK); the references a peer holds
	 * (the socket file holds one); a pending error (sock_error()). */
	unsigned char sk_state;
	unsigned char sk_shutdown;
	refcount_t sk_refcnt;
	int sk_err;
};
#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3
#define TCP_ESTABLISHED 1
#define TCP_CLOSE 7
#define TCP_LISTEN 10
#define SOCK_BINDADDR_LOCK 4
#define SOCK_BINDPORT_LOCK 8
/* unix_find()'s flag for a coredump socket (no op of the model passes it). */
#define SOCK_COREDUMP 0x800000
enum sock_flags {
	SOCK_DEAD,
	SOCK_DONE,
	SOCK_FASYNC, /* its file is O_ASYNC (sock_fasync()) */
};
static inline bool sock_flag(const struct sock *sk, enum sock_flags flag)
{
	return sk->sk_flags & (1UL << flag);
}

/*
 * An inet socket (net/inet_sock.h): its bound local port (host order), 0 until bound or
 * autobound, and what lsm_audit.c logs of a socket a hook names (audit_net.sk): the bound IPv4
 * address and port, the connected peer's (network order, 0 when none).
 */
struct inet_sock {
	struct sock sk;
	__u16 inet_num;
	__be32 inet_rcv_saddr;
	__be32 inet_daddr;
	__be16 inet_sport;
	__be16 inet_dport;
};
#define inet_sk(ptr) container_of(ptr, struct inet_sock, sk)
/* lock_sock_fast(): the socket lock, taken the fast way; the model never contends it. */
static inline bool lock_sock_fast(struct sock *sk)
{
	(void)sk;
	might_sleep();
	return false;
}
static inline void unlock_sock_fast(struct sock *sk, bool slow)
{
	(void)sk;
	(void)slow;
}

/* UNIX sockets (net/af_unix.h), as src/unix.c models them. */
struct sockaddr_un {
	unsigned short sun_family;
	char sun_path[108];
};
struct unix_address {
	refcount_t refcnt;
	int len;
	struct sockaddr_un name[];
};
struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct path path; /* a named socket's file (bound to a pathname) */
	spinlock_t lock;
	struct sock *peer;
	/* The model's (src/unix.c): the next socket bound in the scenario's namespace; whether
	 * its name can be found (an autobound name is random in the kernel: no scenario names it);
	 * how many datagrams its receive queue holds (none is ever received); a listener's queued
	 * connections (until accepted), oldest first. */
	struct unix_sock *lockstep_next_bound;
	bool lockstep_findable;
	int lockstep_queue_len;
	struct lockstep_unix_embryo *lockstep_embryos;
};
/* A connection on a listener's queue: the embryo, the sock accept() gives a socket (made at
 * connect, as unix_create1() makes it), and its peer, the connecting socket (held). */
struct lockstep_unix_embryo {
	struct sock *sk;
	struct sock *peer;
	struct lockstep_unix_embryo *next;
};
#define unix_sk(ptr) container_of(ptr, struct unix_sock, sk)
static inline struct sock *unix_peer(struct sock *sk)
{
	return unix_sk(sk)->peer;
}
#define unix_state_lock(s) spin_lock(&unix_sk(s)->lock)
#define unix_state_unlock(s) spin_unlock(&unix_sk(s)->lock)

struct socket {
	short type;
	struct sock *sk;
	struct file *file;
	/* The hybrid engine's mirror of a real socket (socket_mirror): the real socket does the
	 * stack's work, so an AF_UNIX one asks the socket layer's hooks only (src/unix.c's model of
	 * af_unix would not know the real sockets). */
	bool lockstep_mirror;
};

static inline bool sk_is_inet(const struct sock *sk)
{
	int family = READ_ONCE(sk->sk_family);

	return family == AF_INET || family == AF_INET6;
}
static inline bool sk_is_tcp(const struct sock *sk)
{
	return sk_is_inet(sk) && sk->sk_type == SOCK_STREAM && sk->sk_protocol == IPPROTO_TCP;
}
static inline bool sk_is_udp(const struct sock *sk)
{
	return sk_is_inet(sk) && sk->sk_type == SOCK_DGRAM && sk->sk_protocol == IPPROTO_UDP;
}

#endif /* LOCKSTEP_SHIM_NET_H */
