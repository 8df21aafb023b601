/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * task.h: the simulated task a scenario runs in: `current`, its credentials, its fd table and its
 * user memory; the LSM hook table; the syscall definition macros. Modelled: a task here has
 * exactly what Landlock's syscalls and hooks read, and each scenario gets a fresh one.
 */
#ifndef LOCKSTEP_SHIM_TASK_H
#define LOCKSTEP_SHIM_TASK_H

#include "lockstep_shim/net.h"

struct user_namespace {
	int level;
};
extern struct user_namespace init_user_ns;

#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_SYS_ADMIN 21

struct cred {
	refcount_t usage;
	kernel_cap_t cap_effective;
	struct user_namespace *user_ns;
	void *security; /* the LSM blob, lsm_blob_sizes.lbs_cred bytes */
	struct rcu_head rcu;
};

struct lockstep_fdtable;
struct lockstep_user_region {
	const void *start;
	size_t len;
};

struct task_struct {
	const struct cred *real_cred;
	const struct cred *cred;
	unsigned long atomic_flags; /* PFA_NO_NEW_PRIVS */
	struct lockstep_fdtable *files;
	/* The user memory a syscall may read: the buffers its caller passed. */
	struct lockstep_user_region user_regions[4];
	int num_user_regions;
};
#define PFA_NO_NEW_PRIVS 0

extern _Thread_local struct task_struct *lockstep_current_task;
static inline struct task_struct *get_current(void)
{
	return lockstep_current_task;
}
#define current get_current()

static inline bool task_no_new_privs(struct task_struct *p)
{
	return test_bit(PFA_NO_NEW_PRIVS, &p->atomic_flags);
}
static inline void task_set_no_new_privs(struct task_struct *p)
{
	set_bit(PFA_NO_NEW_PRIVS, &p->atomic_flags);
}

#define __task_cred(task) rcu_dereference((task)->real_cred)
#define current_cred() (current->cred)
#define current_real_cred() (current->real_cred)
#define current_user_ns() (current_cred()->user_ns)

struct cred *prepare_creds(void);
int commit_creds(struct cred *new);
void abort_creds(struct cred *new);
void __put_cred(struct cred *cred);
static inline const struct cred *get_cred(const struct cred *cred)
{
	struct cred *nonconst = (struct cred *)cred;

	if (!cred)
		return cred;
	refcount_inc(&nonconst->usage);
	return cred;
}
static inline void put_cred(const struct cred *cred)
{
	struct cred *nonconst = (struct cred *)cred;

	if (cred && refcount_dec_and_test(&nonconst->usage))
		__put_cred(nonconst);
}

bool ns_capable_noaudit(struct user_namespace *ns, int cap);
bool ns_capable(struct user_namespace *ns, int cap);
bool capable(int cap);

/* ---- user memory (linux/uaccess.h) ---- */
unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
/* Reported, not silent: this model maps no writable user memory (src/task.c). */
unsigned long lockstep_shim_copy_to_user(void __user *to, const void *from, unsigned long n,
					 const char *file, int line);
#define copy_to_user(to, from, n) lockstep_shim_copy_to_user((to), (from), (n), __FILE__, __LINE__)
int check_zeroed_user(const void __user *from, size_t size);
int copy_struct_from_user(void *dst, size_t ksize, const void __user *src, size_t usize);

/* ---- LSM hooks (linux/lsm_hooks.h, lsm_hook_defs.h) ---- */
struct lsm_id {
	const char *name;
	u64 id;
};
#define LSM_ID_UNDEF 0
#define LSM_ID_LANDLOCK 110

struct lsm_blob_sizes {
	int lbs_cred;
	int lbs_file;
	int lbs_ib;
	int lbs_inode;
	int lbs_sock;
	int lbs_superblock;
	int lbs_ipc;
	int lbs_key;
	int lbs_msg_msg;
	int lbs_perf_event;
	int lbs_task;
	int lbs_xattr_count;
	int lbs_tun_dev;
	int lbs_bdev;
};

/*
 * The hooks this model can call. A tree that registers a hook not listed here fails to compile
 * with "'LOCKSTEP_HOOK_<name>' undeclared", which names the hook to add.
 */
union security_list_options {
	int (*cred_prepare)(struct cred *new, const struct cred *old, gfp_t gfp);
	void (*cred_transfer)(struct cred *new, const struct cred *old);
	void (*cred_free)(struct cred *cred);
	int (*socket_bind)(struct socket *sock, struct sockaddr *address, int addrlen);
	int (*socket_connect)(struct socket *sock, struct sockaddr *address, int addrlen);
	int (*socket_sendmsg)(struct socket *sock, struct msghdr *msg, int size);
	void (*inode_free_security)(struct inode *inode);
	void (*inode_free_security_rcu)(void *inode_security);
	void (*sb_delete)(struct super_block *sb);
	int (*sb_mount)(const char *dev_name, const struct path *path, const char *type,
			unsigned long flags, void *data);
	int (*move_mount)(const struct path *from_path, const struct path *to_path);
	int (*sb_umount)(struct vfsmount *mnt, int flags);
	int (*sb_remount)(struct super_block *sb, void *mnt_opts);
	int (*sb_pivotroot)(const struct path *old_path, const struct path *new_path);
	int (*path_link)(struct dentry *old_dentry, const struct path *new_dir,
			 struct dentry *new_dentry);
	int (*path_rename)(const struct path *old_dir, struct dentry *old_dentry,
			   const struct path *new_dir, struct dentry *new_dentry, unsigned int flags);
	int (*path_mkdir)(const struct path *dir, struct dentry *dentry, umode_t mode);
	int (*path_mknod)(const struct path *dir, struct dentry *dentry, umode_t mode,
			  unsigned int dev);
	int (*path_symlink)(const struct path *dir, struct dentry *dentry, const char *old_name);
	int (*path_unlink)(const struct path *dir, struct dentry *dentry);
	int (*path_rmdir)(const struct path *dir, struct dentry *dentry);
	int (*path_truncate)(const struct path *path);
	int (*file_alloc_security)(struct file *file);
	void (*file_free_security)(struct file *file);
	int (*file_open)(struct file *file);
	int (*file_truncate)(struct file *file);
	int (*file_ioctl)(struct file *file, unsigned int cmd, unsigned long arg);
	int (*file_ioctl_compat)(struct file *file, unsigned int cmd, unsigned long arg);
	void (*file_set_fowner)(struct file *file);
	void *lockstep_any;
};
/* Every hook above, in the same order: the hook ids and names (./lockstep shim) come from it. */
#define LOCKSTEP_LSM_HOOKS(X)                                                                 \
	X(cred_prepare) X(cred_transfer) X(cred_free) X(socket_bind) X(socket_connect)        \
	X(socket_sendmsg) X(inode_free_security) X(inode_free_security_rcu) X(sb_delete)      \
	X(sb_mount) X(move_mount) X(sb_umount) X(sb_remount) X(sb_pivotroot) X(path_link)     \
	X(path_rename) X(path_mkdir) X(path_mknod) X(path_symlink) X(path_unlink)             \
	X(path_rmdir) X(path_truncate) X(file_alloc_security) X(file_free_security)           \
	X(file_open) X(file_truncate) X(file_ioctl) X(file_ioctl_compat) X(file_set_fowner)
enum lockstep_hook_id {
#define __LOCKSTEP_HOOK_ID(name) LOCKSTEP_HOOK_##name,
	LOCKSTEP_LSM_HOOKS(__LOCKSTEP_HOOK_ID)
#undef __LOCKSTEP_HOOK_ID
	LOCKSTEP_HOOK_COUNT,
};
struct security_hook_list {
	enum lockstep_hook_id lockstep_id;
	union security_list_options hook;
	const void *lsm; /* the LSM: a struct lsm_id since Linux 6.8, its name string before */
};
#define LSM_HOOK_INIT(NAME, HOOK) \
	{ .lockstep_id = LOCKSTEP_HOOK_##NAME, .hook = { .NAME = HOOK } }
/*
 * The third argument is a `const struct lsm_id *` since Linux 6.8 and a `const char *` name before.
 * The calling file is recorded with each hook: ./lockstep shim says which file registered it.
 */
void lockstep_shim_security_add_hooks(struct security_hook_list *hooks, int count, const void *lsm,
				      const char *file);
#define security_add_hooks(hooks, count, lsm) \
	lockstep_shim_security_add_hooks((hooks), (count), (lsm), __FILE__)

/* What the kernel's security_*() wrappers do: call each registered hook, stop at an error. */
int security_prepare_creds(struct cred *new, const struct cred *old, gfp_t gfp);
void security_cred_free(struct cred *cred);
int security_socket_bind(struct socket *sock, struct sockaddr *address, int addrlen);
int security_socket_connect(struct socket *sock, struct sockaddr *address, int addrlen);
int security_socket_sendmsg(struct socket *sock, struct msghdr *msg, int size);
int security_inode_alloc(struct inode *inode);
void security_inode_free(struct inode *inode);
int security_sb_alloc(struct super_block *sb);
void security_sb_delete(struct super_block *sb);
void security_sb_free(struct super_block *sb);
int security_sb_mount(const char *dev_name, const struct path *path, const char *type,
		      unsigned long flags, void *data);
int security_path_link(struct dentry *old_dentry, const struct path *new_dir,
		       struct dentry *new_dentry);
int security_path_rename(const struct path *old_dir, struct dentry *old_dentry,
			 const struct path *new_dir, struct dentry *new_dentry, unsigned int flags);
int security_path_mkdir(const struct path *dir, struct dentry *dentry, umode_t mode);
int security_path_mknod(const struct path *dir, struct dentry *dentry, umode_t mode,
			unsigned int dev);
int security_path_unlink(const struct path *dir, struct dentry *dentry);
int security_path_rmdir(const struct path *dir, struct dentry *dentry);
int security_path_truncate(const struct path *path);
int security_file_alloc(struct file *file);
void security_file_free(struct file *file);
int security_file_open(struct file *file);
int security_file_truncate(struct file *file);
int security_file_ioctl(struct file *file, unsigned int cmd, unsigned long arg);
#define MS_BIND 4096

/* ---- processes: the model has one task and no pid namespace (linux/pid.h) ---- */
struct pid;
static inline struct task_struct *pid_task(struct pid *pid, enum pid_type type)
{
	(void)pid;
	(void)type;
	return NULL;
}
static inline bool same_thread_group(struct task_struct *p1, struct task_struct *p2)
{
	return p1 == p2;
}
static inline struct pid *task_tgid(struct task_struct *task)
{
	(void)task;
	return NULL;
}
static inline struct pid *get_pid(struct pid *pid)
{
	return pid;
}
static inline void put_pid(struct pid *pid)
{
	(void)pid;
}

/* ---- syscall definitions (linux/syscalls.h): SYSCALL_DEFINEn(name, type, arg, ...) ---- */
#define __LOCKSTEP_PARAM(t, a) t a
#define __LOCKSTEP_MAP1(m, t, a) m(t, a)
#define __LOCKSTEP_MAP2(m, t, a, ...) m(t, a), __LOCKSTEP_MAP1(m, __VA_ARGS__)
#define __LOCKSTEP_MAP3(m, t, a, ...) m(t, a), __LOCKSTEP_MAP2(m, __VA_ARGS__)
#define __LOCKSTEP_MAP4(m, t, a, ...) m(t, a), __LOCKSTEP_MAP3(m, __VA_ARGS__)
#define __LOCKSTEP_MAP5(m, t, a, ...) m(t, a), __LOCKSTEP_MAP4(m, __VA_ARGS__)
#define __LOCKSTEP_MAP6(m, t, a, ...) m(t, a), __LOCKSTEP_MAP5(m, __VA_ARGS__)
#define SYSCALL_DEFINEx(x, name, ...) \
	asmlinkage long sys##name(__LOCKSTEP_MAP##x(__LOCKSTEP_PARAM, __VA_ARGS__))
#define SYSCALL_DEFINE1(name, ...) SYSCALL_DEFINEx(1, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE2(name, ...) SYSCALL_DEFINEx(2, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE3(name, ...) SYSCALL_DEFINEx(3, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE4(name, ...) SYSCALL_DEFINEx(4, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE5(name, ...) SYSCALL_DEFINEx(5, _##name, __VA_ARGS__)
#define SYSCALL_DEFINE6(name, ...) SYSCALL_DEFINEx(6, _##name, __VA_ARGS__)

#endif /* LOCKSTEP_SHIM_TASK_H */
