// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VFS around fs.c's hooks: each task gets one tmpfs-like filesystem (a superblock, a dentry
 * tree, inodes), mounted as the root of its namespace, plus the bind mounts it makes. The
 * filesystem syscalls resolve paths and check what Linux 6.12's VFS checks, in its order, and
 * call the LSM hooks where the VFS calls them (docs/filesystem.md is the contract the oracle and
 * the live engine follow too).
 *
 * Objects of this model are allocated from the host, not with kmalloc: they are not Landlock's
 * allocations, so fault injection and leak counts stay about Landlock. What Landlock does to them
 * is checked: every dget() needs its dput(), every ihold() its iput(), and an inode still tied to
 * a Landlock object when it is freed is the kernel's own WARN_ON.
 */
#include "kernel_shim/host/host.h"
#include "kernel_shim/src/state.h"

struct lockstep_mount {
	struct vfsmount mnt;
	struct lockstep_mount *parent; /* NULL for the namespace's root mount */
	struct dentry *mountpoint;     /* in parent */
	struct list_head list;
};

struct lockstep_vfs {
	struct super_block sb;      /* the task's tmpfs */
	struct super_block host_sb; /* the filesystem the tmpfs is mounted in */
	struct lockstep_mount *root; /* the tmpfs mount: the scenario's root */
	struct list_head mounts;
	struct list_head dentries;
	unsigned long next_ino;
};

static _Thread_local struct lockstep_vfs *vfs;

static void *vfs_alloc(size_t size)
{
	void *p = lockstep_host_alloc(size, 1);

	if (!p)
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	return p;
}

static struct lockstep_mount *real_mount(struct vfsmount *mnt)
{
	return container_of(mnt, struct lockstep_mount, mnt);
}

/* ---- references ---- */

struct dentry *dget(struct dentry *dentry)
{
	if (dentry)
		dentry->lockstep_refs++;
	return dentry;
}

static void free_dentry(struct dentry *dentry)
{
	list_del_init(&dentry->lockstep_all);
	lockstep_host_free(dentry);
}

void dput(struct dentry *dentry)
{
	if (!dentry)
		return;
	if (dentry->lockstep_refs <= 0) {
		lockstep_shim_finding("refcount", __FILE__, __LINE__,
				      "dput() on a dentry without references");
		return;
	}
	/* A lookup's negative dentry lives only as long as its references. */
	if (--dentry->lockstep_refs == 0 && d_is_negative(dentry))
		free_dentry(dentry);
}

struct dentry *dget_parent(struct dentry *dentry)
{
	return dget(dentry->d_parent);
}

void path_get(const struct path *path)
{
	dget(path->dentry);
}

void path_put(const struct path *path)
{
	dput(path->dentry);
}

void ihold(struct inode *inode)
{
	if (atomic_read(&inode->i_count) <= 0)
		lockstep_shim_finding("refcount", __FILE__, __LINE__, "ihold() on a free inode");
	atomic_inc(&inode->i_count);
}

void __iget(struct inode *inode)
{
	atomic_inc(&inode->i_count);
}

/* The model holds one reference on each inode until teardown: Landlock's iput() never frees. */
void iput(struct inode *inode)
{
	if (!inode)
		return;
	if (atomic_dec_return(&inode->i_count) <= 0)
		lockstep_shim_finding("refcount", __FILE__, __LINE__,
				      "iput() dropped a reference Landlock did not hold");
}

int follow_up(struct path *path)
{
	struct lockstep_mount *mnt = real_mount(path->mnt);

	if (!mnt->parent)
		return 0;
	dget(mnt->mountpoint);
	dput(path->dentry);
	path->dentry = mnt->mountpoint;
	path->mnt = &mnt->parent->mnt;
	return 1;
}

/* ---- building the tree ---- */

static struct inode *new_inode(struct super_block *sb, umode_t mode, dev_t rdev)
{
	struct inode *inode = vfs_alloc(sizeof(*inode));

	inode->i_mode = mode;
	inode->i_rdev = rdev;
	inode->i_ino = ++vfs->next_ino;
	inode->i_sb = sb;
	inode->i_count.counter = 1; /* the model's own, dropped at teardown */
	spin_lock_init(&inode->i_lock);
	if (security_inode_alloc(inode))
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	list_add_tail(&inode->i_sb_list, &sb->s_inodes);
	return inode;
}

/* A dentry named @name in @parent, or the root of @sb when @parent is NULL. */
static struct dentry *new_dentry(struct super_block *sb, struct dentry *parent, const char *name,
				 size_t len)
{
	struct dentry *dentry = vfs_alloc(sizeof(*dentry));

	dentry->d_parent = parent ? parent : dentry;
	dentry->d_sb = parent ? parent->d_sb : sb;
	memcpy(dentry->d_iname, name, len);
	dentry->d_iname[len] = '\0';
	INIT_LIST_HEAD(&dentry->lockstep_child);
	INIT_LIST_HEAD(&dentry->lockstep_children);
	list_add_tail(&dentry->lockstep_all, &vfs->dentries);
	return dentry;
}

/* Makes negative @dentry (a child of its d_parent) a new file of @mode. */
static void instantiate(struct dentry *dentry, umode_t mode, dev_t rdev)
{
	dentry->d_inode = new_inode(dentry->d_sb, mode, rdev);
	dentry->d_inode->i_nlink = 1;
	list_add_tail(&dentry->lockstep_child, &dentry->d_parent->lockstep_children);
}

/* Removes @dentry from its directory; open files keep it (and its parent chain) reachable. */
static void unlink_dentry(struct dentry *dentry)
{
	list_del_init(&dentry->lockstep_child);
	dentry->lockstep_unlinked = true;
	dentry->d_inode->i_nlink--;
}

static struct lockstep_mount *new_mount(struct dentry *root, struct lockstep_mount *parent,
					struct dentry *mountpoint)
{
	struct lockstep_mount *mnt = vfs_alloc(sizeof(*mnt));

	mnt->mnt.mnt_root = root;
	mnt->mnt.mnt_sb = root->d_sb;
	mnt->parent = parent;
	mnt->mountpoint = mountpoint;
	if (mountpoint)
		mountpoint->lockstep_mounts++;
	list_add_tail(&mnt->list, &vfs->mounts);
	return mnt;
}

static struct dentry *new_root(struct super_block *sb)
{
	struct dentry *root;

	INIT_LIST_HEAD(&sb->s_inodes);
	spin_lock_init(&sb->s_inode_list_lock);
	if (security_sb_alloc(sb))
		lockstep_shim_bug(__FILE__, __LINE__, "out of host memory");
	root = new_dentry(sb, NULL, "", 0);
	root->d_inode = new_inode(sb, S_IFDIR | 0755, 0);
	root->d_inode->i_nlink = 2;
	sb->s_root = root;
	return root;
}

/*
 * As on the live engine, the task's tmpfs is mounted on a directory of another filesystem, not
 * at the namespace's root: Landlock's walks go on past the tmpfs root (to a root no scenario can
 * put a rule on), which decides some refer cases.
 *
 * Mounted when the task first resolves a path (mounted_vfs()), not at task begin: a task that
 * never touches the filesystem pays nothing for it. Every path the task can hold comes from a
 * resolution, so nothing sees the filesystem before it is there; its superblocks, inodes and
 * mounts are the model's (host memory), so fault injection counts the same allocations.
 */
static void vfs_mount(void)
{
	struct lockstep_mount *host;
	struct dentry *mountpoint;

	vfs = vfs_alloc(sizeof(*vfs));
	INIT_LIST_HEAD(&vfs->mounts);
	INIT_LIST_HEAD(&vfs->dentries);
	memcpy(vfs->host_sb.s_id, "lockstep-host", sizeof("lockstep-host"));
	memcpy(vfs->sb.s_id, "tmpfs", sizeof("tmpfs"));
	host = new_mount(new_root(&vfs->host_sb), NULL, NULL);
	mountpoint = new_dentry(NULL, host->mnt.mnt_root, "lockstep", strlen("lockstep"));
	instantiate(mountpoint, S_IFDIR | 0755, 0);
	vfs->root = new_mount(new_root(&vfs->sb), host, mountpoint);
}

/* The task's filesystem, mounted on first use. */
static struct lockstep_vfs *mounted_vfs(void)
{
	if (!vfs)
		vfs_mount();
	return vfs;
}

void lockstep_shim_vfs_begin(void)
{
	/* The last task's filesystem went with it (lockstep_shim_vfs_end()); this one's comes on
	 * first use. */
	if (vfs)
		lockstep_shim_bug(__FILE__, __LINE__, "a task began with the last task's filesystem");
}

/* Evicts every inode of @sb, checking Landlock left exactly the model's reference on each. */
static void evict_inodes(struct super_block *sb)
{
	struct inode *inode, *next_inode;

	list_for_each_entry_safe(inode, next_inode, &sb->s_inodes, i_sb_list) {
		if (atomic_read(&inode->i_count) != 1)
			lockstep_shim_finding("refcount", __FILE__, __LINE__,
					      atomic_read(&inode->i_count) > 1 ?
						      "inode references left at unmount (missing iput)" :
						      "inode freed more often than held (extra iput)");
		list_del_init(&inode->i_sb_list);
		security_inode_free(inode);
		lockstep_host_free(inode);
	}
	security_sb_free(sb);
}

/*
 * The filesystem is unmounted when the task's namespace goes: Landlock's sb_delete hook drops its
 * inode references, then every inode is evicted. Called after the task's files and credentials
 * are gone and deferred work ran.
 */
void lockstep_shim_vfs_end(void)
{
	struct lockstep_mount *mnt, *next_mnt;
	struct dentry *dentry, *next_dentry;

	if (!vfs)
		return;
	list_for_each_entry(dentry, &vfs->dentries, lockstep_all) {
		if (dentry->lockstep_refs) {
			lockstep_shim_finding("refcount", __FILE__, __LINE__,
					      "dentry references left at unmount (missing dput)");
			break;
		}
	}
	security_sb_delete(&vfs->sb);
	security_sb_delete(&vfs->host_sb);
	lockstep_shim_run_deferred();
	evict_inodes(&vfs->sb);
	evict_inodes(&vfs->host_sb);
	list_for_each_entry_safe(dentry, next_dentry, &vfs->dentries, lockstep_all)
		free_dentry(dentry);
	list_for_each_entry_safe(mnt, next_mnt, &vfs->mounts, list)
		lockstep_host_free(mnt);
	lockstep_host_free(vfs);
	vfs = NULL;
	lockstep_shim_run_deferred();
}

/* ---- path resolution ---- */

static bool valid_name(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > LOCKSTEP_NAME_MAX)
		return false;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static struct dentry *find_child(struct dentry *dir, const char *name, size_t len)
{
	struct dentry *child;

	list_for_each_entry(child, &dir->lockstep_children, lockstep_child)
		if (strlen(child->d_iname) == len && !memcmp(child->d_iname, name, len))
			return child;
	return NULL;
}

/* Steps from a mount point into what is mounted on it (the latest mount), repeatedly. */
static void enter_mounts(struct path *path)
{
	for (;;) {
		struct lockstep_mount *mnt, *top = NULL;

		if (!path->dentry->lockstep_mounts)
			return;
		list_for_each_entry(mnt, &vfs->mounts, list)
			if (mnt->parent == real_mount(path->mnt) && mnt->mountpoint == path->dentry)
				top = mnt;
		if (!top)
			return;
		path->mnt = &top->mnt;
		path->dentry = top->mnt.mnt_root;
	}
}


/* Where resolution starts: the root, or an fd's directory. */
static int start_path(int dirfd, struct path *start)
{
	struct file *file;

	if (dirfd == LOCKSTEP_AT_ROOT) {
		struct lockstep_vfs *v = mounted_vfs();

		start->mnt = &v->root->mnt;
		start->dentry = v->root->mnt.mnt_root;
		return 0;
	}
	if (dirfd < 0 || dirfd >= LOCKSTEP_NR_OPEN || !current->files->fd[dirfd])
		return -EBADF;
	file = current->files->fd[dirfd];
	if (!d_is_dir(file->f_path.dentry))
		return -ENOTDIR;
	*start = file->f_path;
	return 0;
}

/*
 * Resolves all components of @name but the last from @dirfd: @parent gets the directory (no
 * reference taken: the tree outlives the syscall) and @last the final name, empty for ".".
 */
static int resolve_parent(int dirfd, const char *name, struct path *parent, const char **last,
			  size_t *last_len)
{
	const char *p = name;
	int err = start_path(dirfd, parent);

	if (err)
		return err;
	if (!strcmp(name, ".")) {
		*last = name;
		*last_len = 0;
		return 0;
	}
	for (;;) {
		const char *slash = p;
		size_t len;
		struct dentry *child;

		while (*slash && *slash != '/')
			slash++;
		len = (size_t)(slash - p);
		if (!valid_name(p, len))
			return -EINVAL; /* the callers never pass such paths */
		if (!*slash) {
			*last = p;
			*last_len = len;
			return 0;
		}
		child = find_child(parent->dentry, p, len);
		if (!child)
			return -ENOENT;
		if (!d_is_dir(child))
			return -ENOTDIR;
		parent->dentry = child;
		enter_mounts(parent);
		p = slash + 1;
	}
}

/*
 * Looks @last up in @parent: a positive dentry with a reference (crossing mounts when @follow),
 * or a new negative one; -ENOENT in a removed directory. For "." (@len 0) the parent itself.
 */
static struct dentry *lookup_last(struct path *parent, const char *last, size_t len,
				  struct path *out, bool follow)
{
	struct dentry *child;

	out->mnt = parent->mnt;
	if (!len) {
		out->dentry = dget(parent->dentry);
		return out->dentry;
	}
	if (parent->dentry->lockstep_unlinked)
		return ERR_PTR(-ENOENT);
	child = find_child(parent->dentry, last, len);
	if (!child) {
		child = new_dentry(NULL, parent->dentry, last, len);
		out->dentry = dget(child);
		return child;
	}
	out->dentry = child;
	if (follow)
		enter_mounts(out);
	dget(out->dentry);
	return out->dentry;
}

/* Resolves the whole of @name, crossing mounts: 0 with a positive @out (a reference held). */
static int resolve(int dirfd, const char *name, struct path *out)
{
	struct path parent;
	const char *last;
	size_t len;
	int err = resolve_parent(dirfd, name, &parent, &last, &len);

	if (err)
		return err;
	if (IS_ERR(lookup_last(&parent, last, len, out, true)))
		return -ENOENT;
	if (d_is_negative(out->dentry)) {
		path_put(out);
		return -ENOENT;
	}
	return 0;
}

/* ---- files ---- */

static int vfs_file_release(struct inode *inode, struct file *file)
{
	/* A file that failed before it was opened holds nothing yet. */
	if (!(file->f_mode & FMODE_OPENED))
		return 0;
	if (file->f_mode & FMODE_WRITE)
		atomic_dec_return(&inode->i_writecount);
	path_put(&file->f_path);
	return 0;
}

static const struct file_operations vfs_file_ops = {
	.release = vfs_file_release,
};

static bool is_vfs_file(const struct file *file)
{
	return file->f_op == &vfs_file_ops;
}

#define MODEL_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_NONBLOCK | O_DIRECTORY | \
			  O_CLOEXEC | O_PATH)

/*
 * A file not yet opened on anything: path_openat() allocates it (and its LSM blob) before it
 * looks at the path, so running out of memory fails an open before it creates anything.
 */
static struct file *alloc_empty_file(void)
{
	struct lockstep_vfs *v = mounted_vfs();
	struct path nowhere = { &v->root->mnt, v->root->mnt.mnt_root };

	return lockstep_shim_alloc_file(&vfs_file_ops, nowhere, 0, 0, NULL);
}

/* Opens @file on @path, taking over the path's reference (do_dentry_open()). */
static void file_open_path(struct file *file, struct path *path, fmode_t mode, unsigned int flags)
{
	file->f_path = *path;
	file->f_inode = d_backing_inode(path->dentry);
	file->f_mode = mode | FMODE_OPENED;
	file->f_flags = flags;
	if (mode & FMODE_WRITE)
		atomic_inc(&file->f_inode->i_writecount);
}

static bool reads_fifo(const struct file *file, const void *inode)
{
	return is_vfs_file(file) && file->f_inode == inode && (file->f_mode & FMODE_READ);
}

/* Whether a file of some process has @inode open for reading (a FIFO's reader). */
static bool fifo_has_reader(const struct inode *inode)
{
	return lockstep_shim_some_open_file(reads_fifo, inode);
}

/* What the file's own open() does after the LSM: devices, FIFOs and sockets. */
static int driver_open(const struct inode *inode, fmode_t mode)
{
	if (S_ISCHR(inode->i_mode))
		return inode->i_rdev == MKDEV(1, 3) ? 0 : -ENXIO;
	if (S_ISBLK(inode->i_mode) || S_ISSOCK(inode->i_mode))
		return -ENXIO;
	/* A non-blocking write-only FIFO open needs a reader; this model never has one. Access
	 * mode 3 opens with neither mode, which fifo_open() rejects. */
	if (S_ISFIFO(inode->i_mode) && (mode & (FMODE_READ | FMODE_WRITE)) == FMODE_WRITE)
		return fifo_has_reader(inode) ? 0 : -ENXIO;
	if (S_ISFIFO(inode->i_mode) && !(mode & (FMODE_READ | FMODE_WRITE)))
		return -EINVAL;
	return 0;
}

long lockstep_shim_openat(int dirfd, const char *name, unsigned int flags)
{
	struct path parent, path;
	const char *last;
	size_t len;
	struct file *file;
	fmode_t mode;
	bool created = false;
	int err;

	/* open(2) ignores flags it does not know; the model's flags are all it knows. */
	flags &= MODEL_OPEN_FLAGS;
	/* O_PATH beats everything else. */
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_CLOEXEC;
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	/* The fd is reserved before the path is looked at. */
	if (!lockstep_shim_fd_available())
		return -EMFILE;
	file = alloc_empty_file();
	if (!file)
		return -ENOMEM;
	err = resolve_parent(dirfd, name, &parent, &last, &len);
	if (err)
		goto out_fput;
	if (IS_ERR(lookup_last(&parent, last, len, &path, true))) {
		err = -ENOENT;
		goto out_fput;
	}

	if (flags & O_PATH) {
		err = d_is_negative(path.dentry) ? -ENOENT :
		      (flags & O_DIRECTORY) && !d_is_dir(path.dentry) ? -ENOTDIR : 0;
		if (err)
			goto out_path;
		file_open_path(file, &path, FMODE_PATH, flags);
		return lockstep_shim_fd_install(file, flags & O_CLOEXEC);
	}

	if (d_is_negative(path.dentry)) {
		if (!(flags & O_CREAT)) {
			err = -ENOENT;
			goto out_path;
		}
		err = security_path_mknod(&parent, path.dentry, S_IFREG | 0755, 0);
		if (err)
			goto out_path;
		instantiate(path.dentry, S_IFREG | 0755, 0);
		created = true;
	} else if (flags & O_CREAT) {
		if (flags & O_EXCL)
			err = -EEXIST;
		else if (d_is_dir(path.dentry))
			err = -EISDIR;
	}
	if (!err && (flags & O_DIRECTORY) && !d_is_dir(path.dentry))
		err = -ENOTDIR;
	if (!err && !created && d_is_dir(path.dentry) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		err = -EISDIR;
	if (err)
		goto out_path;

	mode = OPEN_FMODE(flags);
	file_open_path(file, &path, mode, flags);
	err = security_file_open(file);
	if (!err)
		err = driver_open(file->f_inode, mode);
	if (!err && !created && (flags & O_TRUNC) && S_ISREG(file->f_inode->i_mode))
		err = security_file_truncate(file);
	if (err)
		goto out_fput;
	return lockstep_shim_fd_install(file, flags & O_CLOEXEC);

out_path:
	path_put(&path);
out_fput:
	fput(file);
	return err;
}

/* do_open_execat(): the file opened for execution into *@out (a reference), or -errno. */
static int open_exec(int dirfd, const char *name, struct file **out)
{
	struct path path;
	struct file *file = alloc_empty_file();
	int err;

	if (!file)
		return -ENOMEM;
	err = resolve(dirfd, name, &path);
	if (err)
		goto out_fput;
	/* may_open(): only a regular file with an execute bit (root needs one) runs. */
	if (!d_is_reg(path.dentry) || !(path.dentry->d_inode->i_mode & 0111)) {
		path_put(&path);
		err = -EACCES;
		goto out_fput;
	}
	file_open_path(file, &path, FMODE_READ | FMODE_EXEC, O_RDONLY | __FMODE_EXEC);
	err = security_file_open(file);
	/* deny_write_access(): a file open for writing cannot be executed. */
	if (!err && atomic_read(&file->f_inode->i_writecount) > 0)
		err = -ETXTBSY;
	if (!err) {
		*out = file;
		return 0;
	}
out_fput:
	fput(file);
	return err;
}

long lockstep_shim_execute(int dirfd, const char *name)
{
	struct file *file;
	int err = open_exec(dirfd, name, &file);

	if (!err)
		fput(file);
	return err;
}

/*
 * An execve whose program loads: bprm_execve()'s new credentials (prepare_exec_creds(), then
 * the bprm_creds_for_exec hook), begin_new_exec()'s de_thread() (the other threads exit),
 * do_close_on_exec() and commit_creds().
 */
long lockstep_shim_execve(int dirfd, const char *name)
{
	struct linux_binprm bprm = { 0 };
	int err = open_exec(dirfd, name, &bprm.file);

	if (err)
		return err;
	bprm.cred = prepare_creds();
	if (!bprm.cred) {
		err = -ENOMEM;
		goto out_fput;
	}
	err = security_bprm_creds_for_exec(&bprm);
	if (err) {
		abort_creds(bprm.cred);
		goto out_fput;
	}
	lockstep_shim_exit_siblings();
	lockstep_shim_close_on_exec();
	commit_creds(bprm.cred);
out_fput:
	fput(bprm.file);
	return err;
}

/* ---- creating and removing names ---- */

/*
 * Looks up the parent and the last component of a name an op creates (@must_exist false: the
 * component must not exist, as filename_create() wants) or removes (@must_exist true). "." is
 * @dot_error. On success *@dentry holds a reference.
 */
static int lookup_child(int dirfd, const char *name, struct path *parent, struct dentry **dentry,
			int dot_error, bool must_exist)
{
	const char *last;
	size_t len;
	struct path child;
	int err = resolve_parent(dirfd, name, parent, &last, &len);

	if (err)
		return err;
	if (!len)
		return dot_error;
	*dentry = lookup_last(parent, last, len, &child, false);
	if (IS_ERR(*dentry))
		return PTR_ERR(*dentry);
	if (d_is_positive(*dentry) != must_exist) {
		dput(*dentry);
		return must_exist ? -ENOENT : -EEXIST;
	}
	return 0;
}

static int create_lookup(int dirfd, const char *name, struct path *parent, struct dentry **dentry)
{
	return lookup_child(dirfd, name, parent, dentry, -EEXIST, false);
}

long lockstep_shim_mkdirat(int dirfd, const char *name)
{
	struct path parent;
	struct dentry *dentry;
	int err = create_lookup(dirfd, name, &parent, &dentry);

	if (err)
		return err;
	err = security_path_mkdir(&parent, dentry, S_IFDIR | 0755);
	if (!err) {
		instantiate(dentry, S_IFDIR | 0755, 0);
		dentry->d_inode->i_nlink = 2;
	}
	dput(dentry);
	return err;
}

long lockstep_shim_mknodat(int dirfd, const char *name, unsigned int mode, unsigned int dev)
{
	struct path parent;
	struct dentry *dentry;
	umode_t type = mode & S_IFMT;
	int err;

	if (type == S_IFDIR)
		return -EPERM;
	if (type != 0 && type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO &&
	    type != S_IFSOCK)
		return -EINVAL;
	err = create_lookup(dirfd, name, &parent, &dentry);
	if (err)
		return err;
	err = security_path_mknod(&parent, dentry, (umode_t)mode, dev);
	if (!err) {
		bool device = type == S_IFCHR || type == S_IFBLK;

		instantiate(dentry, (type ? type : S_IFREG) | (mode & 07777),
			    device ? new_decode_dev(dev) : 0);
	}
	dput(dentry);
	return err;
}

/* ---- named UNIX sockets (src/unix.c) ---- */

bool lockstep_shim_vfs_model_path(const char *name)
{
	const char *p = name;

	if (!strcmp(name, "."))
		return true;
	for (;;) {
		size_t len = 0;

		while (p[len] && p[len] != '/')
			len++;
		if (!valid_name(p, len))
			return false;
		if (!p[len])
			return true;
		p += len + 1;
	}
}

/*
 * unix_bind_bsd()'s creation of the socket file @name (from the root, the task's working
 * directory): filename_create(), security_path_mknod(), vfs_mknod(); *@out holds a reference.
 * -EEXIST when the name exists.
 */
int lockstep_shim_vfs_mksock(const char *name, umode_t mode, struct path *out)
{
	struct path parent;
	struct dentry *dentry;
	int err = create_lookup(LOCKSTEP_AT_ROOT, name, &parent, &dentry);

	if (err)
		return err;
	err = security_path_mknod(&parent, dentry, mode, 0);
	if (err) {
		dput(dentry);
		return err;
	}
	instantiate(dentry, mode, 0);
	out->mnt = parent.mnt;
	out->dentry = dentry;
	return 0;
}

/* The undo of a socket file made by a bind that then failed (vfs_unlink(): no LSM hook). */
void lockstep_shim_vfs_unmksock(struct path *path)
{
	unlink_dentry(path->dentry);
	dput(path->dentry);
}

/* kern_path(@name, LOOKUP_FOLLOW) from the root: 0 and a referenced @out, or -errno. */
int lockstep_shim_vfs_lookup(const char *name, struct path *out)
{
	return resolve(LOCKSTEP_AT_ROOT, name, out);
}

/* Whether a mount is attached on @dentry (is_local_mountpoint()). */
static bool is_mount_point(const struct dentry *dentry)
{
	return dentry->lockstep_mounts > 0;
}

long lockstep_shim_unlinkat(int dirfd, const char *name)
{
	struct path parent;
	struct dentry *dentry;
	int err = lookup_child(dirfd, name, &parent, &dentry, -EISDIR, true);

	if (err)
		return err;
	err = security_path_unlink(&parent, dentry);
	if (!err && d_is_dir(dentry))
		err = -EISDIR;
	if (!err && is_mount_point(dentry))
		err = -EBUSY;
	if (!err)
		unlink_dentry(dentry);
	dput(dentry);
	return err;
}

static bool dir_is_empty(const struct dentry *dentry)
{
	return list_empty(&dentry->lockstep_children);
}

long lockstep_shim_rmdirat(int dirfd, const char *name)
{
	struct path parent;
	struct dentry *dentry;
	int err = lookup_child(dirfd, name, &parent, &dentry, -EINVAL, true);

	if (err)
		return err;
	err = security_path_rmdir(&parent, dentry);
	if (!err && !d_is_dir(dentry))
		err = -ENOTDIR;
	if (!err && is_mount_point(dentry))
		err = -EBUSY;
	if (!err && !dir_is_empty(dentry))
		err = -ENOTEMPTY;
	if (!err) {
		unlink_dentry(dentry);
		dentry->d_parent->d_inode->i_nlink--;
	}
	dput(dentry);
	return err;
}

/* Whether @ancestor is @dentry or above it in the tree. */
static bool is_ancestor(const struct dentry *ancestor, const struct dentry *dentry)
{
	for (;;) {
		if (dentry == ancestor)
			return true;
		if (IS_ROOT(dentry))
			return false;
		dentry = dentry->d_parent;
	}
}

/* The child of @ancestor on the way down to @dentry (lock_rename()'s trap). */
static const struct dentry *child_toward(const struct dentry *ancestor,
					 const struct dentry *dentry)
{
	while (!IS_ROOT(dentry) && dentry->d_parent != ancestor)
		dentry = dentry->d_parent;
	return dentry->d_parent == ancestor ? dentry : NULL;
}

static void move_dentry(struct dentry *dentry, struct dentry *new_parent, const char *name,
			size_t len)
{
	list_del_init(&dentry->lockstep_child);
	dentry->d_parent = new_parent;
	memcpy(dentry->d_iname, name, len);
	dentry->d_iname[len] = '\0';
	list_add_tail(&dentry->lockstep_child, &new_parent->lockstep_children);
}

long lockstep_shim_renameat2(int old_dirfd, const char *old_name, int new_dirfd,
			     const char *new_name, unsigned int flags)
{
	struct path old_dir, new_dir, unused;
	const char *old_last, *new_last;
	size_t old_len, new_len;
	struct dentry *old_dentry, *new_dentry;
	const struct dentry *trap = NULL;
	bool exchange = flags & RENAME_EXCHANGE;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) && exchange)
		return -EINVAL;
	err = resolve_parent(old_dirfd, old_name, &old_dir, &old_last, &old_len);
	if (err)
		return err;
	err = resolve_parent(new_dirfd, new_name, &new_dir, &new_last, &new_len);
	if (err)
		return err;
	if (old_dir.mnt != new_dir.mnt)
		return -EXDEV;
	if (!old_len)
		return -EBUSY;
	if (!new_len)
		return (flags & RENAME_NOREPLACE) ? -EEXIST : -EBUSY;

	if (old_dir.dentry != new_dir.dentry) {
		if (is_ancestor(old_dir.dentry, new_dir.dentry))
			trap = child_toward(old_dir.dentry, new_dir.dentry);
		else if (is_ancestor(new_dir.dentry, old_dir.dentry))
			trap = child_toward(new_dir.dentry, old_dir.dentry);
	}
	old_dentry = lookup_last(&old_dir, old_last, old_len, &unused, false);
	if (IS_ERR(old_dentry))
		return PTR_ERR(old_dentry);
	if (d_is_negative(old_dentry)) {
		dput(old_dentry);
		return -ENOENT;
	}
	new_dentry = lookup_last(&new_dir, new_last, new_len, &unused, false);
	if (IS_ERR(new_dentry)) {
		dput(old_dentry);
		return PTR_ERR(new_dentry);
	}
	if ((flags & RENAME_NOREPLACE) && d_is_positive(new_dentry))
		err = -EEXIST;
	else if (exchange && d_is_negative(new_dentry))
		err = -ENOENT;
	else if (old_dentry == trap)
		err = -EINVAL;
	else if (new_dentry == trap)
		err = exchange ? -EINVAL : -ENOTEMPTY;
	if (!err)
		err = security_path_rename(&old_dir, old_dentry, &new_dir, new_dentry, flags);
	if (err || (d_is_positive(new_dentry) && old_dentry->d_inode == new_dentry->d_inode))
		goto out;

	if (!exchange && d_is_positive(new_dentry)) {
		if (d_is_dir(old_dentry) && !d_is_dir(new_dentry))
			err = -ENOTDIR;
		else if (!d_is_dir(old_dentry) && d_is_dir(new_dentry))
			err = -EISDIR;
	}
	if (!err && (is_mount_point(old_dentry) ||
		     (d_is_positive(new_dentry) && is_mount_point(new_dentry))))
		err = -EBUSY;
	if (!err && !exchange && d_is_dir(new_dentry) && !dir_is_empty(new_dentry))
		err = -ENOTEMPTY;
	if (err)
		goto out;

	if (exchange) {
		char old_iname[LOCKSTEP_NAME_MAX + 1];
		struct dentry *old_parent = old_dentry->d_parent;

		memcpy(old_iname, old_dentry->d_iname, sizeof(old_iname));
		move_dentry(old_dentry, new_dentry->d_parent, new_dentry->d_iname,
			    strlen(new_dentry->d_iname));
		move_dentry(new_dentry, old_parent, old_iname, strlen(old_iname));
		goto out;
	}
	/* A replaced target is unlinked; a negative one goes with its last dput() below. */
	if (d_is_positive(new_dentry))
		unlink_dentry(new_dentry);
	move_dentry(old_dentry, new_dir.dentry, new_last, new_len);
	if (flags & RENAME_WHITEOUT) {
		struct dentry *whiteout = lookup_last(&old_dir, old_last, old_len, &unused, false);

		instantiate(whiteout, S_IFCHR | WHITEOUT_MODE, WHITEOUT_DEV);
		dput(whiteout);
	}
out:
	dput(new_dentry);
	dput(old_dentry);
	return err;
}

long lockstep_shim_linkat(int old_dirfd, const char *old_name, int new_dirfd, const char *new_name)
{
	struct path old_path, new_dir;
	struct dentry *new_dentry;
	int err = resolve(old_dirfd, old_name, &old_path);

	if (err)
		return err;
	err = create_lookup(new_dirfd, new_name, &new_dir, &new_dentry);
	if (err)
		goto out_old;
	if (old_path.mnt != new_dir.mnt)
		err = -EXDEV;
	if (!err)
		err = security_path_link(old_path.dentry, &new_dir, new_dentry);
	if (!err && d_is_dir(old_path.dentry))
		err = -EPERM;
	if (!err) {
		/* A second name for the same inode. */
		new_dentry->d_inode = old_path.dentry->d_inode;
		new_dentry->d_inode->i_nlink++;
		list_add_tail(&new_dentry->lockstep_child, &new_dir.dentry->lockstep_children);
	}
	dput(new_dentry);
out_old:
	path_put(&old_path);
	return err;
}

/* ---- truncation, ioctl ---- */

long lockstep_shim_truncate(int dirfd, const char *name)
{
	struct path path;
	int err = resolve(dirfd, name, &path);

	if (err)
		return err;
	if (d_is_dir(path.dentry))
		err = -EISDIR;
	else if (!d_is_reg(path.dentry))
		err = -EINVAL;
	else
		err = security_path_truncate(&path);
	path_put(&path);
	return err;
}

/* The fd's file for an operation on it: -EBADF for a bad or O_PATH fd. */
static struct file *file_of_fd(int fd)
{
	struct file *file;

	if (fd < 0 || fd >= LOCKSTEP_NR_OPEN || !current->files->fd[fd])
		return ERR_PTR(-EBADF);
	file = current->files->fd[fd];
	if (file->f_mode & FMODE_PATH)
		return ERR_PTR(-EBADF);
	return file;
}

long lockstep_shim_ftruncate(int fd)
{
	struct file *file = file_of_fd(fd);

	if (IS_ERR(file))
		return PTR_ERR(file);
	if (!S_ISREG(file_inode(file)->i_mode) || !(file->f_mode & FMODE_WRITE))
		return -EINVAL;
	return security_file_truncate(file);
}

long lockstep_shim_ioctl(int fd, unsigned int cmd)
{
	struct file *file = file_of_fd(fd);

	if (IS_ERR(file))
		return PTR_ERR(file);
	return security_file_ioctl(file, cmd, 0);
}

/* ---- mounts ---- */

long lockstep_shim_bind_mount(int src_dirfd, const char *src_name, int dst_dirfd,
			      const char *dst_name)
{
	struct path src, dst, on;
	int err = resolve(dst_dirfd, dst_name, &dst);

	if (err)
		return err;
	err = security_sb_mount(src_name, &dst, NULL, MS_BIND, NULL);
	if (!err && !ns_capable(current_user_ns(), CAP_SYS_ADMIN))
		err = -EPERM;
	if (!err)
		err = resolve(src_dirfd, src_name, &src);
	if (err)
		goto out_dst;
	/*
	 * As lock_mount() does: the new mount goes on top of whatever is mounted at dst already
	 * (resolution does not enter the mounts on "." or an fd's own directory), and never on a
	 * name that is gone (cant_mount() → ENOENT, before the type check). Linux 6.18 also refuses
	 * to bind a source that is gone, once the types match.
	 */
	on = dst;
	enter_mounts(&on);
	if (on.dentry->lockstep_unlinked)
		err = -ENOENT;
	else if (d_is_dir(src.dentry) != d_is_dir(on.dentry))
		err = -ENOTDIR;
	else if (src.dentry->lockstep_unlinked)
		err = -ENOENT;
	else
		new_mount(src.dentry, real_mount(on.mnt), on.dentry);
	path_put(&src);
out_dst:
	path_put(&dst);
	return err;
}

/* Path names: not modelled (lockstep_shim/vfs.h); a caller is a finding. */
/* Puts @len bytes of @s in front of the path built so far at *@at (building backwards). */
static bool prepend(char *buf, int *at, const char *s, int len)
{
	if (*at < len)
		return false;
	*at -= len;
	memcpy(buf + *at, s, len);
	return true;
}

/*
 * d_path() as fs/d_path.c builds it, for this model: the names from the task's root down to
 * @path, crossing mount points up to the mount each is attached on, and " (deleted)" after a
 * name that was unlinked (a removed file or directory). The task's root is the scenario's root
 * (the tmpfs mount's root): the model's task is rooted there, as a chrooted one would be, while
 * Landlock's own walks go on past it to the namespace's root. A dentry the walk cannot connect to
 * the root through its mounts (a directory moved out of the bind mount it was reached through)
 * gives the names up to its filesystem's root, as the kernel does for an escaped path.
 */
char *d_path(const struct path *path, char *buf, int buflen)
{
	const struct lockstep_vfs *v = mounted_vfs();
	const struct dentry *root = v->root->mnt.mnt_root;
	const struct dentry *dentry = path->dentry;
	struct lockstep_mount *mnt = real_mount(path->mnt);
	int at = buflen;
	bool named = false;

	if (!prepend(buf, &at, "", 1))
		return ERR_PTR(-ENAMETOOLONG);
	if (dentry->lockstep_unlinked && !IS_ROOT(dentry) &&
	    !prepend(buf, &at, " (deleted)", 10))
		return ERR_PTR(-ENAMETOOLONG);
	while (!(dentry == root && mnt == v->root)) {
		if (dentry == mnt->mnt.mnt_root) {
			if (!mnt->parent)
				break; /* the namespace's root, not under the task's root */
			dentry = mnt->mountpoint;
			mnt = mnt->parent;
			continue;
		}
		if (IS_ROOT(dentry))
			break; /* escaped its mount: the names up to its filesystem's root */
		if (!prepend(buf, &at, dentry->d_iname, (int)strlen(dentry->d_iname)) ||
		    !prepend(buf, &at, "/", 1))
			return ERR_PTR(-ENAMETOOLONG);
		named = true;
		dentry = dentry->d_parent;
	}
	if (!named && !prepend(buf, &at, "/", 1))
		return ERR_PTR(-ENAMETOOLONG);
	return buf + at;
}

char *d_absolute_path(const struct path *path, char *buf, int buflen)
{
	(void)path;
	(void)buf;
	(void)buflen;
	lockstep_shim_finding("model", __FILE__, __LINE__, "d_absolute_path() is not modelled");
	return ERR_PTR(-ENAMETOOLONG);
}
