/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfs.h: the slice of the VFS the Landlock files touch before fs.c is compiled: files with their
 * operations and security blob, and just enough of path/dentry/inode/superblock/mount for
 * get_path_from_fd() to tell a ruleset or socket file from a filesystem one. Modelled, not
 * duplicated: fields exist only where Landlock code reads them.
 */
#ifndef LOCKSTEP_SHIM_VFS_H
#define LOCKSTEP_SHIM_VFS_H

#include "lockstep_shim/custom.h"

struct inode;
struct file;
struct pid;

struct super_block {
	unsigned long s_flags;
	void *s_security;
};
#define SB_NOUSER (1UL << 31)

struct inode {
	unsigned int i_flags;
	umode_t i_mode;
	struct super_block *i_sb;
	void *i_security;
};
#define S_PRIVATE (1U << 9)
#define IS_PRIVATE(inode) ((inode)->i_flags & S_PRIVATE)

struct dentry {
	struct inode *d_inode;
	struct super_block *d_sb;
};
static inline bool d_is_negative(const struct dentry *dentry)
{
	return dentry->d_inode == NULL;
}
static inline struct inode *d_backing_inode(const struct dentry *dentry)
{
	return dentry->d_inode;
}

struct vfsmount {
	int mnt_flags;
	struct super_block *mnt_sb;
};
#define MNT_INTERNAL 0x4000

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};
/* Mounts and dentries of this model live as long as the task: references are not counted. */
static inline void path_get(const struct path *path)
{
	(void)path;
}
static inline void path_put(const struct path *path)
{
	(void)path;
}

struct file_operations {
	int (*release)(struct inode *inode, struct file *file);
	ssize_t (*read)(struct file *file, char __user *buf, size_t size, loff_t *ppos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t size, loff_t *ppos);
};

#define FMODE_READ ((fmode_t)(1U << 0))
#define FMODE_WRITE ((fmode_t)(1U << 1))
#define FMODE_CAN_READ ((fmode_t)(1U << 17))
#define FMODE_CAN_WRITE ((fmode_t)(1U << 18))

#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_NONBLOCK 00004000
#define O_CLOEXEC 02000000

struct file {
	long f_count; /* references: the fd table, and fdget() while a syscall runs */
	const struct file_operations *f_op;
	fmode_t f_mode;
	unsigned int f_flags;
	struct path f_path;
	struct inode *f_inode;
	void *private_data;
	void *f_security;
};

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
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
#define fdget_raw(fd) fdget(fd)
static inline void fdput(struct fd f)
{
	if (f.file)
		fput(f.file);
}
DEFINE_CLASS(fd, struct fd, fdput(_T), fdget(fd), int fd)

/* An anonymous-inode file behind a new fd (linux/anon_inodes.h). */
int anon_inode_getfd(const char *name, const struct file_operations *fops, void *priv, int flags);

#endif /* LOCKSTEP_SHIM_VFS_H */
