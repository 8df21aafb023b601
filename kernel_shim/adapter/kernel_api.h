/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The C boundary between one kernel revision (its Landlock files + kernel_shim + adapter, all C
 * compiled against kernel headers) and C++. Plain C types only: C++ never includes a kernel
 * header. Each revision exports exactly one symbol, lockstep_kernel_<rev>(), returning this table,
 * so two revisions can live in one process once their other symbols are made local.
 */
#ifndef LOCKSTEP_KERNEL_SHIM_ADAPTER_KERNEL_API_H_
#define LOCKSTEP_KERNEL_SHIM_ADAPTER_KERNEL_API_H_

#include <stddef.h>
#include <stdint.h>

#include "engine/ops.h" /* the ops (LOCKSTEP_OPS), struct lockstep_op_args, lockstep_user_buf */

#ifdef __cplusplus
extern "C" {
#endif

struct lockstep_task_spec {
	int no_new_privs;
	int cap_sys_admin;
};

struct lockstep_shim_stats {
	uint64_t allocations;
	uint64_t live_allocations;
	uint64_t live_bytes;
	uint64_t warnings;
	uint64_t audit_records; /* audit records the task emitted (7.x: Landlock's denial logs) */
};

/* One problem the shim noticed: a WARN_ON hit, a leak, a lock misuse. */
struct lockstep_shim_finding {
	char kind[16];
	char detail[240];
};

/* What running the tree's KUnit suites gave. */
struct lockstep_kunit_summary {
	int suites;
	int cases;
	int failed_cases;
};

/* One LSM hook the shim knows (kernel_shim/include/lockstep_shim/task.h), for ./lockstep shim. */
struct lockstep_hook_info {
	const char *name;          /* e.g. "socket_connect" */
	const char *registered_by; /* the file that registered it, e.g. "security/landlock/net.c";
				      NULL when this revision does not register it */
	int dispatched;            /* whether some op of the model calls it (a security_*() wrapper) */
	uint64_t calls;            /* calls so far on this thread, over all tasks */
};

struct lockstep_kernel_api {
	const char *version;      /* "6.12.117" */
	const char *origin;       /* where the tree came from (package, tarball or path) */
	const char *generation;   /* the adapter's API generation, e.g. "6.12" */
	const char *fingerprint;  /* the tree's Landlock code (tools/kernel_tree.py fingerprint) */

	void (*begin_task)(const struct lockstep_task_spec *spec);
	/* The calling thread's simulated task (struct task_struct *), NULL outside a task: for
	 * debuggers, which cannot tell two revisions' thread-local `current` apart by name. */
	void *(*current_task)(void);
	/* Where Landlock's part of a cred's security blob starts (landlock_blob_sizes.lbs_cred once
	 * registered), for debuggers: each revision has its own landlock_blob_sizes. */
	long (*cred_blob_offset)(void);
	/* Ends the task; copies up to `max` findings into `out` and returns how many there were. */
	size_t (*end_task)(struct lockstep_shim_finding *out, size_t max);

	/*
	 * Runs one op of engine/ops.h in the current task, wrapped in the shim's syscall entry and
	 * exit: what the syscall returns (>= 0, or -errno). The filesystem ops run on the task's
	 * own modelled tmpfs (docs/filesystem.md); an unknown kind is -ENOSYS.
	 */
	long (*syscall)(const struct lockstep_op_args *args);

	/* Runs the tree's KUnit suites (each case in a fresh task); failures are described in
	 * `report` (NUL-terminated, at most `cap` bytes). */
	struct lockstep_kunit_summary (*run_kunit)(char *report, size_t cap);

	void (*fail_nth_alloc)(uint64_t n);
	struct lockstep_shim_stats (*stats)(void);
	/* Every hook the shim knows, registered or not (after Landlock's init): fills up to `max`
	 * entries of `out`, returns how many there are. */
	size_t (*hooks)(struct lockstep_hook_info *out, size_t max);

	/*
	 * The LSM hooks alone, for benchmarks: the socket is looked up once (NULL if `fd` is not a
	 * socket; valid until it is closed) and the address is memory the caller owns, passed to the
	 * hooks as the kernel's copy would be. Returns what security_socket_bind/connect() return.
	 */
	void *(*socket_of_fd)(int fd);
	long (*hook_bind)(void *sock, const void *addr, int addrlen);
	long (*hook_connect)(void *sock, const void *addr, int addrlen);

	/*
	 * Denial logs (7.x: audit.c's records). audit_next: the task's next record not yet taken,
	 * 1 with its type (AUDIT_LANDLOCK_ACCESS 1423, AUDIT_LANDLOCK_DOMAIN 1424) and text; 0 when
	 * all were taken; -N when N records were lost (the shim keeps the last 64). The last task's
	 * records stay readable after end_task, until the next begin_task. domain_id: the id of the
	 * calling task's domain (its youngest hierarchy), 0 without a domain or where the revision
	 * has no domain ids (before 6.15).
	 */
	long (*audit_next)(int *type, char *text, size_t cap);
	uint64_t (*domain_id)(void);

	/*
	 * The hybrid engine (selftests/, docs/selftests.md): a real process's state mirrored into
	 * the current task, whose Landlock answers for it.
	 * set_privileges: no_new_privs (only set: it cannot be cleared) and CAP_SYS_ADMIN (-1: as it
	 *   is), in new credentials committed as capset(2) would; returns the task's no_new_privs.
	 * socket_mirror: the real socket's local and peer addresses (getsockname(2), getpeername(2):
	 *   a sockaddr_in or sockaddr_in6, or NULL/0 for none) into a socket_of_fd() socket: its
	 *   bound port (inet_num, what 7.x's UDP autobind check reads) and what lsm_audit.c logs.
	 *   The socket is a mirror from then on: an AF_UNIX one asks the socket layer's hooks
	 *   only (its stack is the real socket's, not src/unix.c's model).
	 * file_io: read(2) (write 0) or write(2) (write 1) of `len` bytes on `fd`, as vfs_read()/
	 *   vfs_write() reach the file's own operations (a ruleset fd's are syscalls.c's).
	 * base_op: an op run with the task's credentials from before its first Landlock syscall
	 *   (taken at the first set_privileges or base_op; override_creds(), as kernel helpers
	 *   run): the mirror of a real path in the task's filesystem is made outside the task's
	 *   domain, so Landlock neither denies nor logs it.
	 */
	int (*set_privileges)(int no_new_privs, int cap_sys_admin);
	void (*socket_mirror)(void *sock, const void *local, int local_len, const void *peer,
			      int peer_len);
	long (*file_io)(int fd, int write, void *buf, size_t len);
	long (*base_op)(const struct lockstep_op_args *args);
	/* fork(2)'s child: every thread but the current one ends (the child has one thread). */
	void (*fork_child)(void);
};

/* The default revision's table (the tree the build was configured with). */
const struct lockstep_kernel_api *lockstep_kernel_default(void);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_KERNEL_SHIM_ADAPTER_KERNEL_API_H_ */
