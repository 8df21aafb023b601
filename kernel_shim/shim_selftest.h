/* SPDX-License-Identifier: GPL-2.0-only */
/* The shim's self-checks (shim_selftest.c), callable from C++. */
#ifndef LOCKSTEP_KERNEL_SHIM_SHIM_SELFTEST_H_
#define LOCKSTEP_KERNEL_SHIM_SHIM_SELFTEST_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

const char *lockstep_selftest_finding(size_t i);
const char *lockstep_selftest_finding_kind(size_t i);
size_t lockstep_selftest_kernel_warn(long *ret);
size_t lockstep_selftest_lockdep_assert(long *ret);
size_t lockstep_selftest_lock_held_on_exit(void);
size_t lockstep_selftest_refcount_misuse(void);
size_t lockstep_selftest_leak(void **leaked);
void lockstep_selftest_free_leaked(void *leaked);
int lockstep_selftest_deferred_free(unsigned long *live_before_exit,
				    unsigned long *live_after_exit);
long lockstep_selftest_fail_nth(unsigned long n, size_t *findings_count);
size_t lockstep_selftest_vfs_refcounts(void);
int lockstep_selftest_vfs_on_first_use(unsigned long *net_task, unsigned long *fs_task);
/* Runs every registered KUnit suite (the tree's and a failing selftest suite); failed cases. */
int lockstep_selftest_kunit(int *suites, int *cases, char *report, size_t cap);
/* where: 0 spinlock, 1 rwlock (read), 2 RCU read section, -1 none. */
size_t lockstep_selftest_alloc_in_atomic(int where);
size_t lockstep_selftest_alloc_in_process_context(void);
size_t lockstep_selftest_sleep_in_rcu(void);
size_t lockstep_selftest_rwlock(void);
size_t lockstep_selftest_rcu_dereference(void);
size_t lockstep_selftest_copy_to_user(unsigned long *not_copied);
int lockstep_selftest_copy_struct(const void *user, size_t readable, size_t usize,
				  unsigned char out[24]);
/*
 * The text audit_log_lsm_data() writes for a network denial (the model of lsm_audit.c) into
 * @out: @family 2 or 10, @addr its 4 or 16 address bytes (network order), @port in host order,
 * @bind: the local address (a bind) rather than the remote one.
 */
void lockstep_selftest_audit_net_text(int family, const unsigned char *addr, unsigned int port,
				      int bind, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* LOCKSTEP_KERNEL_SHIM_SHIM_SELFTEST_H_ */
