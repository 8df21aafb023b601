// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit recorder (lockstep_shim/audit.h) and the model's deterministic randomness.
 *
 * Records: each audit_log_start() allocates a buffer (host memory: the audit subsystem's), the
 * audit_log_*() calls append text, audit_log_end() counts the record for the task and keeps its
 * type and text in a ring of the last LOCKSTEP_AUDIT_KEEP. Text beyond the buffer is cut and
 * marked, never dropped silently.
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

u32 audit_enabled = 1;

struct audit_buffer {
	int type;
	size_t len;
	bool truncated;
	char text[LOCKSTEP_AUDIT_TEXT_MAX];
};

struct audit_buffer *lockstep_shim_audit_log_start(struct audit_context *ctx, gfp_t gfp_mask,
						   int type, const char *file, int line)
{
	struct audit_buffer *ab;

	(void)ctx;
	(void)gfp_mask;
	(void)file;
	(void)line;
	if (!audit_enabled)
		return NULL;
	/*
	 * The audit subsystem's memory, not Landlock's: from the host allocator, neither counted
	 * nor fault-injected (as the VFS model's blobs, src/lsm.c). Landlock treats a NULL here as
	 * "no record" and decides the same, so a failure would only hide a record.
	 */
	ab = lockstep_host_alloc(sizeof(*ab), 1);
	if (!ab)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	ab->type = type;
	return ab;
}

static void append_v(struct audit_buffer *ab, const char *fmt, va_list ap)
{
	size_t room = sizeof(ab->text) - ab->len;
	int n = lockstep_host_vsnprintf(ab->text + ab->len, room, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n >= room) {
		ab->len = sizeof(ab->text) - 1;
		ab->truncated = true;
	} else {
		ab->len += (size_t)n;
	}
}

static void append(struct audit_buffer *ab, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append_v(ab, fmt, ap);
	va_end(ap);
}

void audit_log_format(struct audit_buffer *ab, const char *fmt, ...)
{
	va_list ap;

	if (!ab)
		return;
	va_start(ap, fmt);
	append_v(ab, fmt, ap);
	va_end(ap);
}

/*
 * As the audit subsystem documents: a string with a control character, a byte above 0x7e, a
 * double quote or a space is logged as hex; any other string is logged in double quotes.
 */
void audit_log_n_untrustedstring(struct audit_buffer *ab, const char *string, size_t n)
{
	bool hex = false;
	size_t i;

	if (!ab)
		return;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)string[i];

		if (c == '"' || c < 0x21 || c > 0x7e)
			hex = true;
	}
	if (!hex) {
		append(ab, "\"%.*s\"", (int)n, string);
		return;
	}
	for (i = 0; i < n; i++)
		append(ab, "%02X", (unsigned char)string[i]);
}

void audit_log_untrustedstring(struct audit_buffer *ab, const char *string)
{
	audit_log_n_untrustedstring(ab, string, strlen(string));
}

/*
 * Plain appends for the object fields, which every denied socket op writes: by hand rather than
 * through vsnprintf, whose cost would dominate a denied op's (the perf gate measures it).
 */
static void append_str(struct audit_buffer *ab, const char *s)
{
	while (*s) {
		if (ab->len + 1 >= sizeof(ab->text)) {
			ab->truncated = true;
			return;
		}
		ab->text[ab->len++] = *s++;
	}
	ab->text[ab->len] = '\0';
}

static void append_uint(struct audit_buffer *ab, unsigned int v, unsigned int base)
{
	char digits[12];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n > 0) {
		const char one[2] = { digits[--n], '\0' };

		append_str(ab, one);
	}
}

/* %pI4: dotted quad of a network-order address. */
static void append_dotted(struct audit_buffer *ab, const u8 *b)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			append_str(ab, ".");
		append_uint(ab, b[i], 10);
	}
}

/* " NAME=" then a port (host order), as lsm_audit.c's " %s=%d". */
static void append_port(struct audit_buffer *ab, const char *name, __be16 port)
{
	append_str(ab, " ");
	append_str(ab, name);
	append_str(ab, "=");
	append_uint(ab, be16_to_cpu(port), 10);
}

static void append_ipv4(struct audit_buffer *ab, const char *name, __be32 addr)
{
	append_str(ab, " ");
	append_str(ab, name);
	append_str(ab, "=");
	append_dotted(ab, (const u8 *)&addr);
}

/*
 * %pI6c as lib/vsprintf.c writes it: 16-bit words in lowercase hex without leading zeros, the
 * first longest run of two or more zero words as "::", and the last 32 bits as a dotted quad
 * for IPv4-mapped (::ffff:0:0/96) and ISATAP (the third word's low bits 0x5efe) addresses.
 */
static void append_ipv6(struct audit_buffer *ab, const char *name, const struct in6_addr *addr)
{
	const u8 *b = (const u8 *)addr;
	u16 w[8];
	int i, words, run_at = -1, run_len = 1;
	bool v4 = false, colon_due = false;

	for (i = 0; i < 8; i++)
		w[i] = (u16)(b[2 * i] << 8 | b[2 * i + 1]);
	if (!w[0] && !w[1] && !w[2] && !w[3] && !w[4] && w[5] == 0xffff)
		v4 = true; /* IPv4-mapped */
	if ((w[4] | 0x0200) == 0x0200 && w[5] == 0x5efe)
		v4 = true; /* ISATAP */
	words = v4 ? 6 : 8;
	for (i = 0; i < words; i++) {
		int n = 0;

		while (i + n < words && !w[i + n])
			n++;
		if (n > run_len) {
			run_len = n;
			run_at = i;
		}
	}
	append_str(ab, " ");
	append_str(ab, name);
	append_str(ab, "=");
	for (i = 0; i < words; i++) {
		if (i == run_at) {
			append_str(ab, "::");
			i += run_len - 1;
			colon_due = false;
			continue;
		}
		if (colon_due)
			append_str(ab, ":");
		append_uint(ab, w[i], 16);
		colon_due = true;
	}
	if (v4) {
		if (colon_due)
			append_str(ab, ":");
		append_dotted(ab, b + 12);
	}
}

/* " dev=" and " ino=" of an inode, as lsm_audit.c follows a path with them. */
static void append_dev_ino(struct audit_buffer *ab, const struct inode *inode)
{
	if (!inode)
		return;
	append(ab, " dev=");
	audit_log_untrustedstring(ab, inode->i_sb && inode->i_sb->s_id[0] ? inode->i_sb->s_id : "?");
	append(ab, " ino=%lu", inode->i_ino);
}

/* audit_log_d_path(" path=") and the inode's dev= and ino=: lsm_audit.c's path, file and ioctl
 * objects. */
static void append_path(struct audit_buffer *ab, const struct path *path)
{
	char buf[LOCKSTEP_AUDIT_TEXT_MAX];
	const char *p;

	append(ab, " path=");
	p = path->dentry && path->mnt ? d_path(path, buf, sizeof(buf)) : ERR_PTR(-EINVAL);
	if (IS_ERR(p))
		append(ab, "<too_long>");
	else
		audit_log_untrustedstring(ab, p);
	append_dev_ino(ab, path->dentry ? path->dentry->d_inode : NULL);
}

/*
 * The object of a denial, as security/lsm_audit.c writes it.
 *
 * LSM_AUDIT_DATA_NET: faithful for the address Landlock fills in (print_ipv4_addr/
 * print_ipv6_addr: " saddr=" and " src=" for a bind, " daddr=" and " dest=" for a connect or
 * send, each only when nonzero; an AF_UNSPEC family prints nothing), after the socket's own
 * " laddr= lport= faddr= fport=" (a UNIX socket's " path=") when the hook names it
 * (audit_net.sk), from the stack's state
 * the socket carries: in the kernel engine what the model knows (src/socket.c: the address and
 * port of an allowed bind, an autobound port, a UDP socket's connected peer), in the hybrid
 * engine the real socket's (selftests/hybrid_engine.cc).
 * Paths, files and ioctls: " path=" with d_path() (kernel_shim/src/vfs.c: from the task's root,
 * the scenario's root) as an untrusted string, then " dev=" (the superblock's s_id, "tmpfs") and
 * " ino="; ioctls then " ioctlcmd=0x%hx". Dentries: " name=" and dev=, ino=. Tasks (no op
 * reaches them yet): " lsm_data=task".
 */
void audit_log_lsm_data(struct audit_buffer *ab, const struct common_audit_data *a)
{
	if (!ab || !a)
		return;
	switch (a->type) {
	case LSM_AUDIT_DATA_NET: {
		const struct lsm_network_audit *n = a->u.net;
		static const struct in6_addr any6;

		if (!n)
			break;
		/* The socket's own addresses first, when the hook names it (7.x's net.c does). */
		if (n->sk && n->sk->sk_family == AF_INET) {
			const struct inet_sock *inet = inet_sk(n->sk);

			if (inet->inet_rcv_saddr)
				append_ipv4(ab, "laddr", inet->inet_rcv_saddr);
			if (inet->inet_sport)
				append_port(ab, "lport", inet->inet_sport);
			if (inet->inet_daddr)
				append_ipv4(ab, "faddr", inet->inet_daddr);
			if (inet->inet_dport)
				append_port(ab, "fport", inet->inet_dport);
		} else if (n->sk && n->sk->sk_family == AF_INET6) {
			const struct inet_sock *inet = inet_sk(n->sk);

			if (memcmp(&n->sk->sk_v6_rcv_saddr, &any6, sizeof(any6)))
				append_ipv6(ab, "laddr", &n->sk->sk_v6_rcv_saddr);
			if (inet->inet_sport)
				append_port(ab, "lport", inet->inet_sport);
			if (memcmp(&n->sk->sk_v6_daddr, &any6, sizeof(any6)))
				append_ipv6(ab, "faddr", &n->sk->sk_v6_daddr);
			if (inet->inet_dport)
				append_port(ab, "fport", inet->inet_dport);
		} else if (n->sk && n->sk->sk_family == AF_UNIX && unix_sk(n->sk)->addr) {
			/* A bound UNIX socket's name: an abstract one (the only kind the model
			 * binds) in upper-case hex from its leading NUL (audit_log_n_hex), a
			 * pathname as an untrusted string. */
			const struct unix_address *addr = unix_sk(n->sk)->addr;
			const char *p = addr->name->sun_path;
			size_t len = (size_t)addr->len - sizeof(short), i = 0;

			append(ab, " path=");
			if (*p) {
				while (i < len && p[i])
					i++;
				audit_log_n_untrustedstring(ab, p, i);
			} else {
				for (i = 0; i < len; i++)
					append(ab, "%02X", (unsigned char)p[i]);
			}
		}
		if (n->family == AF_INET) {
			if (n->v4info.saddr)
				append_ipv4(ab, "saddr", n->v4info.saddr);
			if (n->sport)
				append_port(ab, "src", n->sport);
			if (n->v4info.daddr)
				append_ipv4(ab, "daddr", n->v4info.daddr);
			if (n->dport)
				append_port(ab, "dest", n->dport);
		} else if (n->family == AF_INET6) {
			if (memcmp(&n->v6info.saddr, &any6, sizeof(any6)))
				append_ipv6(ab, "saddr", &n->v6info.saddr);
			if (n->sport)
				append_port(ab, "src", n->sport);
			if (memcmp(&n->v6info.daddr, &any6, sizeof(any6)))
				append_ipv6(ab, "daddr", &n->v6info.daddr);
			if (n->dport)
				append_port(ab, "dest", n->dport);
		}
		break;
	}
	case LSM_AUDIT_DATA_PATH:
		append_path(ab, &a->u.path);
		break;
	case LSM_AUDIT_DATA_FILE:
		if (a->u.file)
			append_path(ab, &a->u.file->f_path);
		break;
	case LSM_AUDIT_DATA_IOCTL_OP:
		if (a->u.op) {
			append_path(ab, &a->u.op->path);
			/* " ioctlcmd=0x%hx": the command's low 16 bits. */
			append(ab, " ioctlcmd=0x%hx", (unsigned short)a->u.op->cmd);
		}
		break;
	case LSM_AUDIT_DATA_DENTRY:
		if (a->u.dentry) {
			append(ab, " name=");
			audit_log_untrustedstring(ab, a->u.dentry->d_iname);
			append_dev_ino(ab, a->u.dentry->d_inode);
		}
		break;
	case LSM_AUDIT_DATA_TASK:
		/* The target's process id and name, as lsm_audit.c writes them (none for pid 0). */
		if (a->u.tsk && task_tgid_nr(a->u.tsk)) {
			char comm[TASK_COMM_LEN];

			append(ab, " opid=%d ocomm=", task_tgid_nr(a->u.tsk));
			get_task_comm(comm, a->u.tsk);
			audit_log_untrustedstring(ab, comm);
		}
		break;
	default:
		append(ab, " lsm_data=%d", a->type);
		break;
	}
}

void audit_log_end(struct audit_buffer *ab)
{
	struct lockstep_shim_state *s = &lockstep_shim;
	struct lockstep_audit_record *r;

	if (!ab)
		return;
	r = &s->audit_log[s->audit_records % LOCKSTEP_AUDIT_KEEP];
	r->type = ab->type;
	lockstep_host_snprintf(r->text, sizeof(r->text), "%s%s", ab->text,
			       ab->truncated ? "...(truncated)" : "");
	s->audit_records++;
	lockstep_host_free(ab);
}

long lockstep_shim_audit_next(int *type, char *text, size_t cap)
{
	struct lockstep_shim_state *s = &lockstep_shim;
	const struct lockstep_audit_record *r;

	if (s->audit_taken == s->audit_records)
		return 0;
	if (s->audit_records - s->audit_taken > LOCKSTEP_AUDIT_KEEP) {
		const u64 lost = s->audit_records - s->audit_taken - LOCKSTEP_AUDIT_KEEP;

		s->audit_taken += lost;
		return -(long)lost;
	}
	r = &s->audit_log[s->audit_taken % LOCKSTEP_AUDIT_KEEP];
	*type = r->type;
	lockstep_host_snprintf(text, cap, "%s", r->text);
	s->audit_taken++;
	return 1;
}

/*
 * get_random_*(): deterministic, so domain ids (in audit records) are the same in every run and
 * replay: splitmix64 over a per-thread state seeded with LOCKSTEP_RANDOM_SEED, re-seedable.
 */
#define LOCKSTEP_RANDOM_SEED 0x6c6f636b73746570ULL /* "lockstep" */

void lockstep_shim_random_seed(u64 seed)
{
	lockstep_shim.random_state = seed;
}

static u64 next_random(void)
{
	u64 z;

	lockstep_shim.random_state += 0x9e3779b97f4a7c15ULL;
	z = lockstep_shim.random_state + LOCKSTEP_RANDOM_SEED;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

u32 get_random_u32(void)
{
	return (u32)next_random();
}

u8 get_random_u8(void)
{
	return (u8)next_random();
}

u64 get_random_u64(void)
{
	return next_random();
}
