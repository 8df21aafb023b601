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
} hook_table[LOCKSTEP_HOOK_COUNT];

struct lsm_blob_sizes lockstep_shim_blob_totals;

void security_add_hooks(struct security_hook_list *hooks, int count, const void *lsm)
{
	int i;

	for (i = 0; i < count; i++) {
		enum lockstep_hook_id id = hooks[i].lockstep_id;

		hooks[i].lsm = lsm;
		if (hook_table[id].count >= LOCKSTEP_MAX_HOOKS_PER_ID)
			lockstep_shim_bug(__FILE__, __LINE__, "too many hooks registered");
		hook_table[id].entries[hook_table[id].count++] = &hooks[i];
	}
}

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
	set_blob_offset(&sizes->lbs_inode, &t->lbs_inode);
	set_blob_offset(&sizes->lbs_sock, &t->lbs_sock);
	set_blob_offset(&sizes->lbs_superblock, &t->lbs_superblock);
	set_blob_offset(&sizes->lbs_ipc, &t->lbs_ipc);
	set_blob_offset(&sizes->lbs_msg_msg, &t->lbs_msg_msg);
	set_blob_offset(&sizes->lbs_task, &t->lbs_task);
}

#define for_each_hook(id, entry)                                                   \
	for (int __i = 0; __i < hook_table[LOCKSTEP_HOOK_##id].count &&            \
			  ((entry) = hook_table[LOCKSTEP_HOOK_##id].entries[__i], 1); \
	     __i++)

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
	const struct security_hook_list *h;

	/* prepare_creds() may fail before the blob exists. */
	if (!cred->security)
		return;
	for_each_hook(cred_free, h)
		h->hook.cred_free(cred);
	kfree(cred->security);
	cred->security = NULL;
}

int security_socket_bind(struct socket *sock, struct sockaddr *address, int addrlen)
{
	const struct security_hook_list *h;

	for_each_hook(socket_bind, h) {
		int rc = h->hook.socket_bind(sock, address, addrlen);

		if (rc)
			return rc;
	}
	return 0;
}

int security_socket_connect(struct socket *sock, struct sockaddr *address, int addrlen)
{
	const struct security_hook_list *h;

	for_each_hook(socket_connect, h) {
		int rc = h->hook.socket_connect(sock, address, addrlen);

		if (rc)
			return rc;
	}
	return 0;
}

int security_socket_sendmsg(struct socket *sock, struct msghdr *msg, int size)
{
	const struct security_hook_list *h;

	for_each_hook(socket_sendmsg, h) {
		int rc = h->hook.socket_sendmsg(sock, msg, size);

		if (rc)
			return rc;
	}
	return 0;
}
