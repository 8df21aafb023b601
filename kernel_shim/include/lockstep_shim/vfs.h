/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfs.h: the VFS fs.c runs against: superblocks with their inode lists, inodes with the LSM blob
 * and reference counts, a dentry tree with parents and names, mounts (a vfsmount inside a mount
 * that knows its parent and mount point, for follow_up()), paths, files with owner and
 * credentials. Modelled, not duplicated: the fields are the ones Landlock reads, plus what
 * kernel_shim/src/vfs.c needs to resolve paths and run the filesystem syscalls around the hooks
 * (docs/filesystem.md). References are counted (dget/dput, ihold/iput, path_get/path_put) and
 * checked when a task's filesystem is torn down.
 */
#ifndef LOCKSTEP_SHIM_VFS_H
#define LOCKSTEP_SHIM_VFS_H

#include "lockstep_shim/custom.h"

struct inode;
struct file;
struct pid;
struct cred;

/* ---- device numbers (linux/kdev_t.h) ---- */
typedef u32 dev_t;
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & MINORMASK))
#define MKDEV(ma, mi) (((ma) << MINORBITS) | (mi))
/* The syscall encoding (glibc's makedev for small numbers) to and from dev_t. */
static inline dev_t new_decode_dev(u32 dev)
{
	unsigned int major = (dev & 0xfff00) >> 8;
	unsigned int minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);

	return MKDEV(major, minor);
}
static inline u32 new_encode_dev(dev_t dev)
{
	unsigned int major = MAJOR(dev);
	unsigned int minor = MINOR(dev);

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

/* ---- file types (linux/stat.h) ---- */
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#define S_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m) (((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m) & S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m) & S_IFMT) == S_IFSOCK)
#define WHITEOUT_MODE 0
#define WHITEOUT_DEV 0

/* ---- renameat2() flags (uapi/linux/fs.h) ---- */
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#define RENAME_WHITEOUT (1 << 2)

/* ---- ioctl numbers (asm-generic/ioctl.h, ioctls.h, uapi/linux/fs.h, linux/falloc.h) ---- */
#define _IOC_NRBITS 8
#define _IOC_TYPEBITS 8
#define _IOC_SIZEBITS 14
#define _IOC_NRSHIFT 0
#define _IOC_TYPESHIFT (_IOC_NRSHIFT + _IOC_NRBITS)
#define _IOC_SIZESHIFT (_IOC_TYPESHIFT + _IOC_TYPEBITS)
#define _IOC_DIRSHIFT (_IOC_SIZESHIFT + _IOC_SIZEBITS)
#define _IOC_NONE 0U
#define _IOC_WRITE 1U
#define _IOC_READ 2U
#define _IOC(dir, type, nr, size)                                                   \
	(((dir) << _IOC_DIRSHIFT) | ((type) << _IOC_TYPESHIFT) | ((nr) << _IOC_NRSHIFT) | \
	 ((size) << _IOC_SIZESHIFT))
#define _IO(type, nr) _IOC(_IOC_NONE, (type), (nr), 0)
#define _IOR(type, nr, size) _IOC(_IOC_READ, (type), (nr), sizeof(size))
#define _IOW(type, nr, size) _IOC(_IOC_WRITE, (type), (nr), sizeof(size))
#define _IOWR(type, nr, size) _IOC(_IOC_READ | _IOC_WRITE, (type), (nr), sizeof(size))

#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define FIONCLEX 0x5450
#define FIOCLEX 0x5451
#define FIOASYNC 0x5452
#define FIOQSIZE 0x5460

/* Argument layouts, only for the sizes the ioctl numbers encode. */
struct fiemap {
	u64 fm_start, fm_length;
	u32 fm_flags, fm_mapped_extents, fm_extent_count, fm_reserved;
};
struct file_clone_range {
	s64 src_fd;
	u64 src_offset, src_length, dest_offset;
};
struct file_dedupe_range {
	u64 src_offset, src_length;
	u16 dest_count, reserved1;
	u32 reserved2;
};
struct fsuuid2 {
	u8 len;
	u8 uuid[16];
};
struct fs_sysfs_path {
	u8 len;
	u8 name[128];
};
/*
 * The 32-bit compat argument of the FS_IOC_*RESVSP*_32 and FS_IOC_ZERO_RANGE_32 ioctls. ABI: only
 * its size (44 bytes, which the ioctl numbers encode) matters here. The facts are the uapi's
 * (two 16-bit words, two 64-bit offsets at 4-byte alignment, a 32-bit sysid and pid, four 32-bit
 * spare words); the declaration is ours, packed as a whole with the size checked.
 */
struct space_resv_32 {
	s16 type_and_whence[2];
	s64 start_and_len[2];
	s32 sysid;
	u32 pid;
	s32 spare[4];
} __attribute__((__packed__, __aligned__(4)));
static_assert(sizeof(struct space_resv_32) == 44, "the compat layout is 44 bytes");
#define FIFREEZE _IOWR('X', 119, int)
#define FITHAW _IOWR('X', 120, int)
#define FIGETBSZ _IO(0x00, 2)
#define FICLONE _IOW(0x94, 9, int)
#define FICLONERANGE _IOW(0x94, 13, struct file_clone_range)
#define FIDEDUPERANGE _IOWR(0x94, 54, struct file_dedupe_range)
#define FS_IOC_FIEMAP _IOWR('f', 11, struct fiemap)
#define FS_IOC_GETFLAGS _IOR('f', 1, long)
#define FS_IOC_SETFLAGS _IOW('f', 2, long)
#define FS_IOC32_GETFLAGS _IOR('f', 1, int)
#define FS_IOC32_SETFLAGS _IOW('f', 2, int)
#define FS_IOC_GETFSUUID _IOR(0x15, 0, struct fsuuid2)
#define FS_IOC_GETFSSYSFSPATH _IOR(0x15, 1, struct fs_sysfs_path)
#define FS_IOC_RESVSP_32 _IOW('X', 40, struct space_resv_32)
#define FS_IOC_UNRESVSP_32 _IOW('X', 41, struct space_resv_32)
#define FS_IOC_RESVSP64_32 _IOW('X', 42, struct space_resv_32)
#define FS_IOC_UNRESVSP64_32 _IOW('X', 43, struct space_resv_32)
#define FS_IOC_ZERO_RANGE_32 _IOW('X', 57, struct space_resv_32)

/* ---- superblocks, inodes, dentries ---- */
struct super_block {
	char s_id[32]; /* the device name, as audit records show it ("tmpfs") */
	unsigned long s_flags;
	void *s_security;
	spinlock_t s_inode_list_lock;
	struct list_head s_inodes;
	struct dentry *s_root;
};
#define SB_NOUSER (1UL << 31)

#define I_NEW (1 << 3)
#define I_WILL_FREE (1 << 4)
#define I_FREEING (1 << 5)

struct inode {
	umode_t i_mode;
	unsigned int i_flags;
	dev_t i_rdev;
	unsigned long i_ino;
	unsigned int i_nlink;
	unsigned long i_state;
	atomic_t i_count;
	/* Open files writing to it (for ETXTBSY); the kernel's i_writecount, without deny counts. */
	atomic_t i_writecount;
	spinlock_t i_lock;
	struct super_block *i_sb;
	struct list_head i_sb_list;
	void *i_security;
};
#define S_PRIVATE (1U << 9)
#define IS_PRIVATE(inode) ((inode)->i_flags & S_PRIVATE)

static inline int atomic_read(const atomic_t *v)
{
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);
}
static inline void atomic_inc(atomic_t *v)
{
	__atomic_add_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}
static inline void atomic_set(atomic_t *v, int i)
{
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);
}
static inline void atomic_dec(atomic_t *v)
{
	__atomic_sub_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}
static inline int atomic_dec_return(atomic_t *v)
{
	return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_RELAXED);
}
/* The 7.x inode accessors (linux/fs.h) over the same fields. */
static inline int icount_read_once(const struct inode *inode)
{
	return atomic_read(&inode->i_count);
}
/* i_state is read under i_lock (lockdep checks it, as the kernel's accessor does). */
#define inode_state_read(inode)                                                           \
	({                                                                                \
		lockstep_shim_assert_held(&(inode)->i_lock.dep, true, 0, __FILE__, __LINE__); \
		(inode)->i_state;                                                         \
	})
static inline bool atomic_long_dec_and_test(atomic_long_t *v)
{
	return atomic_long_dec_return(v) == 0;
}

/* Takes a reference the caller already may take (the inode is in use). */
void ihold(struct inode *inode);
void __iget(struct inode *inode);
void iput(struct inode *inode);
/* Drops a reference the caller knows is not the last: the last one here is a WARN (finding). */
#define iput_not_last(inode)                                          \
	do {                                                          \
		struct inode *__lockstep_inode = (inode);             \
                                                                      \
		WARN_ON(atomic_read(&__lockstep_inode->i_count) < 2); \
		iput(__lockstep_inode);                               \
	} while (0)

#define LOCKSTEP_NAME_MAX 255 /* NAME_MAX */

struct dentry {
	struct dentry *d_parent; /* itself for a filesystem's root */
	struct inode *d_inode;   /* NULL: negative (a name looked up that does not exist) */
	struct super_block *d_sb;
	char d_iname[LOCKSTEP_NAME_MAX + 1];
	/* The model's own fields. */
	int lockstep_refs;            /* dget/dput references, beyond the tree's own */
	int lockstep_mounts;          /* mounts whose mount point this is */
	bool lockstep_unlinked;       /* removed from its parent (still reachable by open files) */
	struct list_head lockstep_child;    /* in the parent's children */
	struct list_head lockstep_children; /* positive children, when a directory */
	struct list_head lockstep_all;      /* every dentry of the task, for teardown */
};
#define IS_ROOT(x) ((x) == (x)->d_parent)

static inline bool d_is_negative(const struct dentry *dentry)
{
	return dentry->d_inode == NULL;
}
static inline bool d_is_positive(const struct dentry *dentry)
{
	return dentry->d_inode != NULL;
}
static inline struct inode *d_backing_inode(const struct dentry *dentry)
{
	return dentry->d_inode;
}
static inline bool d_is_dir(const struct dentry *dentry)
{
	return dentry->d_inode && S_ISDIR(dentry->d_inode->i_mode);
}
static inline bool d_can_lookup(const struct dentry *dentry)
{
	return d_is_dir(dentry);
}
static inline bool d_is_reg(const struct dentry *dentry)
{
	return dentry->d_inode && S_ISREG(dentry->d_inode->i_mode);
}
struct dentry *dget(struct dentry *dentry);
void dput(struct dentry *dentry);
struct dentry *dget_parent(struct dentry *dentry);

/* ---- mounts and paths (linux/mount.h, path.h, namei.h) ---- */
struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
	int mnt_flags;
};
#define MNT_INTERNAL 0x4000

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};
void path_get(const struct path *path);
void path_put(const struct path *path);
/* Moves @path to the mount point of its mount: 1 if there is one, 0 at the namespace's root. */
int follow_up(struct path *path);

/* ---- processes, only as far as file owners name them (linux/pid.h) ---- */
enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};
struct fown_struct {
	struct file *file; /* the file this owner belongs to (7.x) */
	rwlock_t lock;
	struct pid *pid;
	enum pid_type pid_type;
	/* uid and euid of the setter: not kept (every task of the model has one uid, so
	 * sigio_perm()'s credential test always passes). */
	int signum; /* F_SETSIG's signal (not modelled: 0, SIGIO) */
};
/* fs/fcntl.c (src/fcntl.c): the owner allocated at the first F_SETOWN*, freed with the file;
 * SIGIO to the owner of a file whose object has news (kill_fasync()'s send_sigio()). */
int file_f_owner_allocate(struct file *file);
void file_f_owner_release(struct file *file);
void send_sigio(struct fown_struct *fown, int fd, int band);
/* SIGURG to the owner of @file (a socket's urgent data); whether the file has an owner. */
int send_sigurg(struct file *file);

/* ---- files ---- */
struct file_operations {
	int (*release)(struct inode *inode, struct file *file);
	/* O_ASYNC turned on (@on 1) or off (0; -1 fd: the file's last close). */
	int (*fasync)(int fd, struct file *file, int on);
	ssize_t (*read)(struct file *file, char __user *buf, size_t size, loff_t *ppos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t size, loff_t *ppos);
};

#define FMODE_READ ((fmode_t)(1U << 0))
#define FMODE_WRITE ((fmode_t)(1U << 1))
#define FMODE_EXEC ((fmode_t)(1U << 5))
#define FMODE_CAN_READ ((fmode_t)(1U << 17))
#define FMODE_CAN_WRITE ((fmode_t)(1U << 18))
#define FMODE_PATH ((fmode_t)(1U << 14))
#define FMODE_OPENED ((fmode_t)(1U << 19))
#define FMODE_CREATED ((fmode_t)(1U << 20))

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_TRUNC 00001000
#define O_NONBLOCK 00004000
#define O_ASYNC 00020000 /* FASYNC */
#define O_DIRECTORY 00200000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#define __FMODE_EXEC 040
/* The f_mode an access mode gives: 0 → read, 1 → write, 2 → both, 3 → neither. */
#define OPEN_FMODE(flags) ((fmode_t)(((flags) + 1) & O_ACCMODE))

struct file {
	long f_count; /* references: the fd table, and fdget() while a syscall runs */
	const struct file_operations *f_op;
	fmode_t f_mode;
	unsigned int f_flags;
	struct path f_path;
	struct inode *f_inode;
	const struct cred *f_cred;
	struct fown_struct *f_owner;
	void *private_data;
	void *f_security;
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}
static inline struct fown_struct *file_f_owner(const struct file *file)
{
	return file->f_owner;
}
struct file *get_file(struct file *f);
void fput(struct file *file);

/* fdget() and friends (linux/file.h). */
struct fd {
	struct file *file;
};
#define fd_file(f) ((f).file)
#define fd_empty(f) (!(f).file)
struct fd fdget(unsigned int fd);
struct fd fdget_raw(unsigned int fd);
/* __getname(): a PATH_MAX buffer from the (instrumented) allocator, __putname() frees it. */
#define __getname() ((char *)kmalloc(PATH_MAX, GFP_KERNEL))
#define __putname(name) kfree(name)
/*
 * Path names (linux/dcache.h). The model's tasks have no executable file and no tracepoints
 * print paths, so no op reaches these: a call is a finding ("not modelled"), and -ENAMETOOLONG.
 */
char *d_path(const struct path *path, char *buf, int buflen);
char *d_absolute_path(const struct path *path, char *buf, int buflen);
static inline void fdput(struct fd f)
{
	if (f.file)
		fput(f.file);
}
DEFINE_CLASS(fd, struct fd, fdput(_T), fdget(fd), int fd)
DEFINE_CLASS(fd_raw, struct fd, fdput(_T), fdget_raw(fd), int fd)
/* fput as a free class (DEFINE_FREE(fput) of linux/file.h). */
DEFINE_FREE(fput, struct file *, if (!IS_ERR_OR_NULL(_T)) fput(_T))

/* An anonymous-inode file behind a new fd (linux/anon_inodes.h). */
int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv, int flags);

#endif /* LOCKSTEP_SHIM_VFS_H */
