// SPDX-License-Identifier: GPL-2.0-only
/*
 * The LSM framework in miniature: the hook table security_add_hooks() fills, the security_*()
 * wrappers the syscalls call, and blob sizes turned into offsets.
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

#define LOCKSTEP_MAX_HOOKS_PER_ID 4

static struct {
	int count;
	const struct security_hook_list *entries[LOCKSTEP_MAX_HOOKS_PER_ID];
	const char *registered_by; /* the file of the first security_add_hooks() call for it */
} hook_table[LOCKSTEP_HOOK_COUNT];

static const char *const hook_names[LOCKSTEP_HOOK_COUNT] = {
#define LOCKSTEP_HOOK(ret, name, params, args, dispatch) [LOCKSTEP_HOOK_##name] = #name,
#include "lockstep_shim/hooks.def"
#undef LOCKSTEP_HOOK
};

/* The hooks some op of this model calls (hooks.def: every dispatch but LOCKSTEP_NONE). */
#define LOCKSTEP_INT 1
#define LOCKSTEP_VOID 1
#define LOCKSTEP_CUSTOM 1
#define LOCKSTEP_NONE 0
static const bool hook_dispatched[LOCKSTEP_HOOK_COUNT] = {
#define LOCKSTEP_HOOK(ret, name, params, args, dispatch) [LOCKSTEP_HOOK_##name] = dispatch,
#include "lockstep_shim/hooks.def"
#undef LOCKSTEP_HOOK
};
#undef LOCKSTEP_INT
#undef LOCKSTEP_VOID
#undef LOCKSTEP_CUSTOM
#undef LOCKSTEP_NONE

/* "external/kernel_tree/security/landlock/fs.c" → "security/landlock/fs.c". */
static const char *tree_relative(const char *file)
{
	const char *p;

	for (p = file; *p; p++)
		if (memcmp(p, "security/", 9) == 0 && (p == file || p[-1] == '/'))
			return p;
	return file;
}

void lockstep_shim_security_add_hooks(struct security_hook_list *hooks, int count, const void *lsm,
				      const char *file)
{
	int i;

	for (i = 0; i < count; i++) {
		enum lockstep_hook_id id = hooks[i].lockstep_id;

		hooks[i].lsm = lsm;
		if (hook_table[id].count >= LOCKSTEP_MAX_HOOKS_PER_ID)
			lockstep_shim_bug(__FILE__, __LINE__, "too many hooks registered");
		hook_table[id].entries[hook_table[id].count++] = &hooks[i];
		if (!hook_table[id].registered_by)
			hook_table[id].registered_by = tree_relative(file);
	}
}

size_t lockstep_shim_hooks(struct lockstep_hook_info *out, size_t max)
{
	size_t id;

	for (id = 0; id < LOCKSTEP_HOOK_COUNT && id < max; id++) {
		out[id].name = hook_names[id];
		out[id].registered_by = hook_table[id].count ? hook_table[id].registered_by : NULL;
		out[id].dispatched = hook_dispatched[id];
		out[id].calls = lockstep_shim.hook_calls[id];
	}
	return LOCKSTEP_HOOK_COUNT;
}

/* The LSMs DEFINE_LSM recorded (one per revision: Landlock's setup.c). */
static struct lsm_info *defined_lsms[2];
static int num_defined_lsms;

void lockstep_shim_define_lsm(struct lsm_info *info, const char *file)
{
	if (num_defined_lsms >= (int)ARRAY_SIZE(defined_lsms))
		lockstep_shim_bug(file, 0, "too many DEFINE_LSM");
	defined_lsms[num_defined_lsms++] = info;
}

int lockstep_shim_lsm_init(void)
{
	int i;

	for (i = 0; i < num_defined_lsms; i++) {
		struct lsm_info *lsm = defined_lsms[i];

		if (lsm->blobs)
			lockstep_shim_lsm_register_blobs(lsm->blobs);
		if (lsm->init && lsm->init())
			lockstep_shim_finding("lsm", __FILE__, __LINE__, "an LSM's init failed");
	}
	return num_defined_lsms;
}

struct lsm_blob_sizes lockstep_shim_blob_totals;

/* Each LSM's blob starts where the previous one's ended, pointer-aligned. */
static void set_blob_offset(int *need, int *total)
{
	int offset = (*total + (int)sizeof(void *) - 1) & ~((int)sizeof(void *) - 1);

	*total = offset + *need;
	*need = offset;
}

void lockstep_shim_lsm_register_blobs(struct lsm_blob_sizes *sizes)
{
	struct lsm_blob_sizes *t = &lockstep_shim_blob_totals;

	set_blob_offset(&sizes->lbs_cred, &t->lbs_cred);
	set_blob_offset(&sizes->lbs_file, &t->lbs_file);
	/* As lsm_set_blob_sizes(): an inode blob starts with the rcu_head that frees it. */
	if (!t->lbs_inode)
		t->lbs_inode = sizeof(struct rcu_head);
	set_blob_offset(&sizes->lbs_inode, &t->lbs_inode);
	set_blob_offset(&sizes->lbs_sock, &t->lbs_sock);
	set_blob_offset(&sizes->lbs_superblock, &t->lbs_superblock);
	set_blob_offset(&sizes->lbs_ipc, &t->lbs_ipc);
	set_blob_offset(&sizes->lbs_msg_msg, &t->lbs_msg_msg);
	set_blob_offset(&sizes->lbs_task, &t->lbs_task);
}

/* Each registered hook in turn; every call is counted (hook coverage, ./lockstep shim). */
#define for_each_hook(id, entry)                                                   \
	for (int __i = 0; __i < hook_table[LOCKSTEP_HOOK_##id].count &&            \
			  ((entry) = hook_table[LOCKSTEP_HOOK_##id].entries[__i],   \
			   lockstep_shim.hook_calls[LOCKSTEP_HOOK_##id]++, 1);      \
	     __i++)

/* What security/security.c's call_int_hook()/call_void_hook() do: stop at the first error. */
#define call_int_hook(id, ...)                                    \
	do {                                                      \
		const struct security_hook_list *h;               \
                                                                  \
		for_each_hook(id, h) {                            \
			int rc = h->hook.id(__VA_ARGS__);         \
                                                                  \
			if (rc)                                   \
				return rc;                        \
		}                                                 \
		return 0;                                         \
	} while (0)
#define call_void_hook(id, ...)                                   \
	do {                                                      \
		const struct security_hook_list *h;               \
                                                                  \
		for_each_hook(id, h)                              \
			h->hook.id(__VA_ARGS__);                  \
	} while (0)

int security_prepare_creds(struct cred *new, const struct cred *old, gfp_t gfp)
{
	const struct security_hook_list *h;

	if (lockstep_shim_blob_totals.lbs_cred) {
		new->security = kzalloc(lockstep_shim_blob_totals.lbs_cred, gfp);
		if (!new->security)
			return -ENOMEM;
	}
	for_each_hook(cred_prepare, h) {
		int rc = h->hook.cred_prepare(new, old, gfp);

		if (rc)
			return rc;
	}
	return 0;
}

void security_cred_free(struct cred *cred)
{
	/* prepare_creds() may fail before the blob exists. */
	if (!cred->security)
		return;
	call_void_hook(cred_free, cred);
	kfree(cred->security);
	cred->security = NULL;
}

/* ---- filesystem hooks, with the security_*() wrappers' own conditions ---- */

/*
 * Blobs of the VFS model's objects come from the host allocator: they belong to the VFS, not to
 * Landlock, so they are neither fault-injected nor counted as Landlock's allocations.
 */
static void *blob_alloc(int size)
{
	void *blob = size ? lockstep_host_alloc((size_t)size, 1) : NULL;

	if (size && !blob)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	return blob;
}

int security_inode_alloc(struct inode *inode)
{
	inode->i_security = blob_alloc(lockstep_shim_blob_totals.lbs_inode);
	return 0;
}

void security_inode_free(struct inode *inode)
{
	call_void_hook(inode_free_security, inode);
	if (!inode->i_security)
		return;
	/* inode_free_by_rcu(), run now: the task is gone, no reader is left. */
	call_void_hook(inode_free_security_rcu, inode->i_security);
	lockstep_host_free(inode->i_security);
	inode->i_security = NULL;
}

int security_sb_alloc(struct super_block *sb)
{
	sb->s_security = blob_alloc(lockstep_shim_blob_totals.lbs_superblock);
	return 0;
}

void security_sb_free(struct super_block *sb)
{
	lockstep_host_free(sb->s_security);
	sb->s_security = NULL;
}

/* The path hooks skip private inodes (IS_PRIVATE), as security/security.c does. */
static bool private_dir(const struct path *dir)
{
	return IS_PRIVATE(d_backing_inode(dir->dentry));
}

int security_path_link(struct dentry *old_dentry, const struct path *new_dir,
		       struct dentry *new_dentry)
{
	if (IS_PRIVATE(d_backing_inode(old_dentry)))
		return 0;
	call_int_hook(path_link, old_dentry, new_dir, new_dentry);
}

int security_path_rename(const struct path *old_dir, struct dentry *old_dentry,
			 const struct path *new_dir, struct dentry *new_dentry, unsigned int flags)
{
	if (IS_PRIVATE(d_backing_inode(old_dentry)) ||
	    (d_is_positive(new_dentry) && IS_PRIVATE(d_backing_inode(new_dentry))))
		return 0;
	call_int_hook(path_rename, old_dir, old_dentry, new_dir, new_dentry, flags);
}

int security_path_mkdir(const struct path *dir, struct dentry *dentry, umode_t mode)
{
	if (private_dir(dir))
		return 0;
	call_int_hook(path_mkdir, dir, dentry, mode);
}

int security_path_mknod(const struct path *dir, struct dentry *dentry, umode_t mode,
			unsigned int dev)
{
	if (private_dir(dir))
		return 0;
	call_int_hook(path_mknod, dir, dentry, mode, dev);
}

int security_path_unlink(const struct path *dir, struct dentry *dentry)
{
	if (private_dir(dir))
		return 0;
	call_int_hook(path_unlink, dir, dentry);
}

int security_path_rmdir(const struct path *dir, struct dentry *dentry)
{
	if (private_dir(dir))
		return 0;
	call_int_hook(path_rmdir, dir, dentry);
}

int security_path_truncate(const struct path *path)
{
	if (private_dir(path))
		return 0;
	call_int_hook(path_truncate, path);
}

int security_file_alloc(struct file *file)
{
	if (lockstep_shim_blob_totals.lbs_file) {
		file->f_security = kzalloc(lockstep_shim_blob_totals.lbs_file, GFP_KERNEL);
		if (!file->f_security)
			return -ENOMEM;
	}
	{
		const struct security_hook_list *h;

		for_each_hook(file_alloc_security, h) {
			int rc = h->hook.file_alloc_security(file);

			if (rc) {
				security_file_free(file);
				return rc;
			}
		}
	}
	return 0;
}

void security_file_free(struct file *file)
{
	if (!file->f_security)
		return;
	call_void_hook(file_free_security, file);
	kfree(file->f_security);
	file->f_security = NULL;
}

/* The plain wrappers (hooks.def: LOCKSTEP_INT, LOCKSTEP_VOID). */
#define LOCKSTEP_INT(ret, name, params, args) \
	ret security_##name params            \
	{                                     \
		call_int_hook(name, __LOCKSTEP_UNPAREN args); \
	}
#define LOCKSTEP_VOID(ret, name, params, args) \
	ret security_##name params             \
	{                                      \
		call_void_hook(name, __LOCKSTEP_UNPAREN args); \
	}
#define LOCKSTEP_CUSTOM(ret, name, params, args)
#define LOCKSTEP_NONE(ret, name, params, args)
#define __LOCKSTEP_UNPAREN(...) __VA_ARGS__
#define LOCKSTEP_HOOK(ret, name, params, args, dispatch) dispatch(ret, name, params, args)
#include "lockstep_shim/hooks.def"
#undef LOCKSTEP_HOOK
