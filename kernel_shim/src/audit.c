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
 * The object of a denial. Partial: the data kind and the fields the model has (ports,
 * addresses, the ioctl command), not the kernel's full field text (paths, devices, inode
 * numbers); the denial-log issue completes it where records are compared.
 */
void audit_log_lsm_data(struct audit_buffer *ab, const struct common_audit_data *a)
{
	if (!ab || !a)
		return;
	switch (a->type) {
	case LSM_AUDIT_DATA_NET:
		if (!a->u.net)
			break;
		if (a->u.net->sport)
			append(ab, " lport=%u", be16_to_cpu(a->u.net->sport));
		if (a->u.net->dport)
			append(ab, " dest=%u", be16_to_cpu(a->u.net->dport));
		break;
	case LSM_AUDIT_DATA_IOCTL_OP:
		if (a->u.op)
			append(ab, " ioctlcmd=0x%x", a->u.op->cmd);
		break;
	case LSM_AUDIT_DATA_PATH:
	case LSM_AUDIT_DATA_DENTRY:
	case LSM_AUDIT_DATA_FILE:
		append(ab, " lsm_data=fs");
		break;
	case LSM_AUDIT_DATA_TASK:
		append(ab, " lsm_data=task");
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
