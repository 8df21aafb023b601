/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * audit.h: the audit records Landlock emits (linux/audit.h, linux/lsm_audit.h), recorded, never
 * dropped: audit_log_start() allocates a record from host memory (the audit subsystem's, not
 * Landlock's, so neither counted nor fault-injected, like the VFS model's blobs), audit_log_format()
 * and friends append text, audit_log_end() files the record with the task (src/audit.c): every record
 * is counted per task (lockstep_shim_stats.audit_records) and the last few keep their type and
 * text, so engines and replays can compare them. Audit is enabled in this model.
 */
#ifndef LOCKSTEP_SHIM_AUDIT_H
#define LOCKSTEP_SHIM_AUDIT_H

#include "lockstep_shim/vfs.h"
#include "lockstep_shim/net.h"

/* Record types (uapi/linux/audit.h; Debian 12's copy predates Landlock's). */
#define AUDIT_LANDLOCK_ACCESS 1423
#define AUDIT_LANDLOCK_DOMAIN 1424

/*
 * What a denial is about (linux/lsm_audit.h): the kind, then the object. Only the kinds and the
 * fields Landlock's files fill in; the values are this model's own.
 */
enum {
	LSM_AUDIT_DATA_PATH = 1, /* .u.path */
	LSM_AUDIT_DATA_DENTRY,   /* .u.dentry */
	LSM_AUDIT_DATA_FILE,     /* .u.file */
	LSM_AUDIT_DATA_IOCTL_OP, /* .u.op */
	LSM_AUDIT_DATA_NET,      /* .u.net */
	LSM_AUDIT_DATA_TASK,     /* .u.tsk */
};
/* A socket denial: the socket, the address family, and the local or remote port and address. */
struct lsm_network_audit {
	const struct sock *sk;
	u16 family;
	__be16 sport, dport;
	struct {
		__be32 saddr, daddr;
	} v4info;
	struct {
		struct in6_addr saddr, daddr;
	} v6info;
};
/* An ioctl denial: the file's path and the command. */
struct lsm_ioctlop_audit {
	struct path path;
	u16 cmd;
};
struct common_audit_data {
	char type; /* LSM_AUDIT_DATA_* */
	union {
		struct path path;
		struct dentry *dentry;
		struct file *file;
		struct lsm_ioctlop_audit *op;
		struct lsm_network_audit *net;
		struct task_struct *tsk;
	} u;
};

struct audit_buffer;
struct audit_context;
extern u32 audit_enabled;
static inline struct audit_context *audit_context(void)
{
	return NULL; /* the model has no per-syscall audit context: records stand alone */
}
struct audit_buffer *lockstep_shim_audit_log_start(struct audit_context *ctx, gfp_t gfp_mask,
						   int type, const char *file, int line);
#define audit_log_start(ctx, gfp_mask, type) \
	lockstep_shim_audit_log_start((ctx), (gfp_mask), (type), __FILE__, __LINE__)
void audit_log_format(struct audit_buffer *ab, const char *fmt, ...) __printf(2, 3);
void audit_log_untrustedstring(struct audit_buffer *ab, const char *string);
void audit_log_n_untrustedstring(struct audit_buffer *ab, const char *string, size_t n);
void audit_log_lsm_data(struct audit_buffer *ab, const struct common_audit_data *a);
void audit_log_end(struct audit_buffer *ab);

#endif /* LOCKSTEP_SHIM_AUDIT_H */
