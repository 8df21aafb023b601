/*
 * Every op an engine runs, described once (issue 15, "one place per op"), and the arguments one
 * op is called with. Plain C, so that both sides of the engine boundary derive from the same
 * table: C++ (engine/engine.h OpArgs and Engine::Syscall, scenario/scenario.h OpKind and its
 * predicates, scenario/binary.cc's tags, tools/gdb's break list) and the C adapters
 * (kernel_shim/adapter/kernel_api.h `syscall`, entry_table.h's dispatch).
 *
 * One line per op, in enum order; a new op is appended at the end (its position is its number):
 *   X(enumerator, C name, name in .scn text and tables, arguments, returns, binary tag,
 *     kernel functions gdb stops in)
 *
 * - arguments: the LOCKSTEP_ARG_* fields of struct lockstep_op_args the op reads, or'ed;
 *   fields it does not read keep their defaults.
 * - returns: LOCKSTEP_RET_FD (an fd), LOCKSTEP_RET_FD_UNLESS_FLAGS (an fd; a plain value when
 *   `flags` asks for one: create_ruleset's version and errata), LOCKSTEP_RET_ZERO (0), or
 *   LOCKSTEP_RET_VERDICT (Landlock's verdict, 0 when allowed: the socket ops, execute, ioctl);
 *   every op returns -errno on failure.
 * - binary tag: the op's first byte in the fuzzers' binary form (scenario/binary.h). A tag is
 *   kept forever, so corpus seeds and saved findings keep their meaning: a new op takes the next
 *   free one.
 * - break functions (space-separated, the one that decides first): the Landlock functions that
 *   decide the op — the fs hook of security/landlock/fs.c, current_check_access_socket, the
 *   syscall — or, for ops Landlock does not see, the shim's or adapter's function that runs them
 *   (tools/gdb/lockstep_gdb.py's `lockstep-break` reads them from the binary,
 *   tests/gdb_printers_test.sh checks each resolves).
 *
 * Adding an op: a line here, its semantics in the oracle (model/), its model in the shim
 * (kernel_shim/src/, prototype in lockstep_shim/control.h, one case in the adapter's
 * entry_table.h dispatch), the real syscall in the live engine, and its .scn text form
 * (scenario/scn.cc) and binary body (scenario/binary.cc).
 */
#ifndef LOCKSTEP_ENGINE_OPS_H_
#define LOCKSTEP_ENGINE_OPS_H_

#include <stddef.h>
#include <stdint.h>

/* The fields of struct lockstep_op_args an op reads. */
#define LOCKSTEP_ARG_FD (1u << 0)        /* fd */
#define LOCKSTEP_ARG_MEM (1u << 1)       /* mem: a user buffer (an attr, an address) */
#define LOCKSTEP_ARG_SIZE (1u << 2)      /* size */
#define LOCKSTEP_ARG_ADDRLEN (1u << 3)   /* addrlen */
#define LOCKSTEP_ARG_RULE_TYPE (1u << 4) /* rule_type */
#define LOCKSTEP_ARG_FLAGS (1u << 5)     /* flags (open flags, rename flags, ioctl cmd, ...) */
#define LOCKSTEP_ARG_SOCKET (1u << 6)    /* family, type, protocol */
#define LOCKSTEP_ARG_PATH (1u << 7)      /* at, path */
#define LOCKSTEP_ARG_PATH2 (1u << 8)     /* at2, path2 */
#define LOCKSTEP_ARG_MODE (1u << 9)      /* mode */
#define LOCKSTEP_ARG_DEV (1u << 10)      /* dev */
#define LOCKSTEP_ARG_TASK (1u << 11)     /* at, holding a task's number (setown's owner) */

/* The most tasks a scenario has, threads of every process (ops `thread` and `fork` are EAGAIN
 * past it): a limit of the model, the same in every engine (the shim's LOCKSTEP_MAX_THREADS,
 * checked in entry_table.h). */
#define LOCKSTEP_MAX_TASK_THREADS 8
/* The pid the kernel engine's shim gives task 0 (task n has this + n): what its audit records
 * name a task by (opid=). Checked against the shim's LOCKSTEP_PID_BASE in entry_table.h. */
#define LOCKSTEP_TASK_PID_BASE 1000

/* What a successful op returns. */
#define LOCKSTEP_RET_ZERO 0
#define LOCKSTEP_RET_FD 1
#define LOCKSTEP_RET_FD_UNLESS_FLAGS 2
#define LOCKSTEP_RET_VERDICT 3

/* clang-format off */
#define LOCKSTEP_OPS(X)                                                                           \
  /* landlock_create_ruleset(mem, size, flags) */                                                 \
  X(kCreateRuleset, CREATE_RULESET, "create_ruleset",                                             \
    LOCKSTEP_ARG_MEM | LOCKSTEP_ARG_SIZE | LOCKSTEP_ARG_FLAGS, LOCKSTEP_RET_FD_UNLESS_FLAGS, 0,   \
    "sys_landlock_create_ruleset")                                                                \
  /* landlock_add_rule(fd, rule_type, mem, flags) */                                              \
  X(kAddRule, ADD_RULE, "add_rule",                                                               \
    LOCKSTEP_ARG_FD | LOCKSTEP_ARG_RULE_TYPE | LOCKSTEP_ARG_MEM | LOCKSTEP_ARG_FLAGS,             \
    LOCKSTEP_RET_ZERO, 1, "sys_landlock_add_rule")                                                \
  /* landlock_restrict_self(fd, flags) */                                                         \
  X(kRestrictSelf, RESTRICT_SELF, "restrict_self", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_FLAGS,          \
    LOCKSTEP_RET_ZERO, 2, "sys_landlock_restrict_self")                                           \
  /* prctl(PR_SET_NO_NEW_PRIVS, 1) */                                                             \
  X(kSetNoNewPrivs, SET_NO_NEW_PRIVS, "no_new_privs", 0, LOCKSTEP_RET_ZERO, 3,                    \
    "set_no_new_privs")                                                                           \
  /* close(fd) */                                                                                 \
  X(kClose, CLOSE, "close", LOCKSTEP_ARG_FD, LOCKSTEP_RET_ZERO, 4, "lockstep_shim_close")         \
  /* socket(family, type, protocol) */                                                            \
  X(kSocket, SOCKET, "socket", LOCKSTEP_ARG_SOCKET, LOCKSTEP_RET_FD, 5, "lockstep_shim_socket")   \
  /* bind(fd, mem, addrlen) */                                                                    \
  X(kBind, BIND, "bind", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_MEM | LOCKSTEP_ARG_ADDRLEN,               \
    LOCKSTEP_RET_VERDICT, 6, "current_check_access_socket")                                       \
  /* connect(fd, mem, addrlen) */                                                                 \
  X(kConnect, CONNECT, "connect", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_MEM | LOCKSTEP_ARG_ADDRLEN,      \
    LOCKSTEP_RET_VERDICT, 7, "current_check_access_socket")                                       \
  /* sendto(fd, "x", flags & MSG_OOB ? 1 : 0, flags, mem or NULL, addrlen): nothing, or the */  \
  /* one urgent byte MSG_OOB needs (a stream socket's peer then gets SIGURG). */              \
  X(kSendTo, SENDTO, "sendto",                                                                    \
    LOCKSTEP_ARG_FD | LOCKSTEP_ARG_MEM | LOCKSTEP_ARG_ADDRLEN | LOCKSTEP_ARG_FLAGS,               \
    LOCKSTEP_RET_VERDICT, 8, "current_check_access_socket")                                       \
  /* The filesystem (docs/filesystem.md): paths resolve from `at` (LOCKSTEP_AT_ROOT: the */       \
  /* root). mkdirat(at, path, 0755) */                                                            \
  X(kMkdir, MKDIR, "mkdir", LOCKSTEP_ARG_PATH, LOCKSTEP_RET_ZERO, 9, "hook_path_mkdir")           \
  /* mknodat(at, path, mode, dev) */                                                              \
  X(kMknod, MKNOD, "mknod", LOCKSTEP_ARG_PATH | LOCKSTEP_ARG_MODE | LOCKSTEP_ARG_DEV,             \
    LOCKSTEP_RET_ZERO, 10, "hook_path_mknod")                                                     \
  /* openat(at, path, flags): an fd (O_CREAT of a new file: make_reg first; O_TRUNC after) */     \
  X(kOpen, OPEN, "open", LOCKSTEP_ARG_PATH | LOCKSTEP_ARG_FLAGS, LOCKSTEP_RET_FD, 11,             \
    "hook_file_open hook_path_mknod hook_file_truncate")                                          \
  /* execveat(at, path): 0 when the file opened for execution */                                  \
  X(kExecute, EXECUTE, "execute", LOCKSTEP_ARG_PATH, LOCKSTEP_RET_VERDICT, 12, "hook_file_open")  \
  /* truncate(at/path, 0) */                                                                      \
  X(kTruncate, TRUNCATE, "truncate", LOCKSTEP_ARG_PATH, LOCKSTEP_RET_ZERO, 13,                    \
    "hook_path_truncate")                                                                         \
  /* ftruncate(fd, 0) */                                                                          \
  X(kFtruncate, FTRUNCATE, "ftruncate", LOCKSTEP_ARG_FD, LOCKSTEP_RET_ZERO, 14,                   \
    "hook_file_truncate")                                                                         \
  /* unlinkat(at, path, 0) */                                                                     \
  X(kUnlink, UNLINK, "unlink", LOCKSTEP_ARG_PATH, LOCKSTEP_RET_ZERO, 15, "hook_path_unlink")      \
  /* unlinkat(at, path, AT_REMOVEDIR) */                                                          \
  X(kRmdir, RMDIR, "rmdir", LOCKSTEP_ARG_PATH, LOCKSTEP_RET_ZERO, 16, "hook_path_rmdir")          \
  /* renameat2(at, path, at2, path2, flags) */                                                    \
  X(kRename, RENAME, "rename", LOCKSTEP_ARG_PATH | LOCKSTEP_ARG_PATH2 | LOCKSTEP_ARG_FLAGS,       \
    LOCKSTEP_RET_ZERO, 17, "hook_path_rename")                                                    \
  /* linkat(at, path, at2, path2, 0) */                                                           \
  X(kLink, LINK, "link", LOCKSTEP_ARG_PATH | LOCKSTEP_ARG_PATH2, LOCKSTEP_RET_ZERO, 18,           \
    "hook_path_link")                                                                             \
  /* ioctl(fd, flags = cmd): Landlock's verdict */                                                \
  X(kIoctl, IOCTL, "ioctl", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_FLAGS, LOCKSTEP_RET_VERDICT, 19,       \
    "hook_file_ioctl")                                                                            \
  /* mount(at/path, at2/path2, MS_BIND) */                                                        \
  X(kBindMount, BIND_MOUNT, "bind_mount", LOCKSTEP_ARG_PATH | LOCKSTEP_ARG_PATH2,                 \
    LOCKSTEP_RET_ZERO, 20, "hook_sb_mount")                                                       \
  /* execveat(at, path, argv, envp, 0) of a program that loads: the task runs it from then on */  \
  /* (7.x's hook_bprm_creds_for_exec runs too; every generation has the exec check.) */           \
  X(kExecve, EXECVE, "execve", LOCKSTEP_ARG_PATH, LOCKSTEP_RET_ZERO, 21, "hook_file_open")      \
  /* clone(CLONE_THREAD|...) of the running thread: a sibling with its credentials and        */  \
  /* no_new_privs, sharing its fd table. Returns the new thread's number (the first is 0).    */  \
  X(kThread, THREAD, "thread", 0, LOCKSTEP_RET_FD, 22, "lockstep_shim_thread_create")            \
  /* The thread whose number is `fd` runs the ops after this one (-ESRCH: none, or it exited). */ \
  X(kOnThread, ON_THREAD, "on_thread", LOCKSTEP_ARG_FD, LOCKSTEP_RET_ZERO, 23,                     \
    "lockstep_shim_thread_switch")                                                                \
  /* Between tasks (docs/tasks.md). Task numbers are the scenario's: `thread` and `fork` number */ \
  /* every task they make in one sequence (the first task is 0), whichever process it is in.    */ \
  /* fork(): clone() of the running thread into a new process: a copy of its credentials       */ \
  /* (domain included) and no_new_privs, a copy of its fd table sharing the open files. The    */ \
  /* child is the new task's number; it does not run until on_thread names it.                 */ \
  X(kFork, FORK, "fork", 0, LOCKSTEP_RET_FD, 24, "lockstep_shim_fork")                            \
  /* tgkill(tgid of task `fd`, tid of task `fd`, `flags`): the signal stays pending (every     */ \
  /* task blocks every signal: see sigwait); 0, or -ESRCH / -EINVAL / Landlock's -EPERM.        */ \
  X(kKill, KILL, "kill", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_FLAGS, LOCKSTEP_RET_ZERO, 25,            \
    "hook_task_kill")                                                                             \
  /* ptrace(PTRACE_ATTACH, task `fd`), then PTRACE_DETACH when it succeeded: whether the       */ \
  /* running thread may attach (0, -ESRCH, -EPERM: its own process, or Landlock's verdict).    */ \
  X(kPtrace, PTRACE, "ptrace", LOCKSTEP_ARG_FD, LOCKSTEP_RET_ZERO, 26,                            \
    "hook_ptrace_access_check")                                                                   \
  /* ptrace(PTRACE_TRACEME) of the running task, and when it succeeded its parent (the thread */ \
  /* that forked its process, or a live thread of that process) detaches it at once; -ESRCH,  */ \
  /* without the syscall, when the parent is not a task of the scenario (task 0's process).   */ \
  X(kTraceme, TRACEME, "traceme", 0, LOCKSTEP_RET_ZERO, 27, "hook_ptrace_traceme")             \
  /* listen(fd, 4096). Landlock has no listen hook: as for the socket ops above, the engines */   \
  /* model the stack as far as Landlock's verdicts depend on it: an AF_UNIX socket's listen  */   \
  /* exactly (a stream connect reaches the scope only when it finds a listener), any other   */   \
  /* socket 0 after the fd checks (docs/tasks.md).                                           */   \
  X(kListen, LISTEN, "listen", LOCKSTEP_ARG_FD, LOCKSTEP_RET_VERDICT, 28, "lockstep_shim_listen") \
  /* fcntl(fd, F_SETOWN_EX, {F_OWNER_TID, tid of task `at`}), then, when it succeeded,     */   \
  /* fcntl(fd, F_SETFL, flags | O_ASYNC): the task gets SIGIO when the file's socket has   */   \
  /* news (docs/tasks.md); Landlock records the setter's domain (hook_file_set_fowner).    */   \
  X(kSetown, SETOWN, "setown", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_TASK, LOCKSTEP_RET_ZERO, 29,         \
    "hook_file_set_fowner")                                                                       \
  /* rt_sigtimedwait({flags}, NULL, {0, 0}) on the running task: 0 when signal `flags` was   */   \
  /* pending for it (it is taken), -EAGAIN when not, -EINVAL outside 1..64.                  */   \
  X(kSigwait, SIGWAIT, "sigwait", LOCKSTEP_ARG_FLAGS, LOCKSTEP_RET_ZERO, 30,                       \
    "lockstep_shim_sigwait")                                                                      \
  /* accept4(fd, NULL, NULL, flags) of a listener that never waits (-EAGAIN when no          */   \
  /* connection does): the connection's socket, a new fd. Landlock has no accept hook; an     */   \
  /* AF_UNIX listener's accept is modelled exactly, another family's is not (docs/tasks.md).  */   \
  X(kAccept, ACCEPT, "accept", LOCKSTEP_ARG_FD | LOCKSTEP_ARG_FLAGS, LOCKSTEP_RET_FD, 31,          \
    "lockstep_shim_accept")
/* clang-format on */

/* The C names: LOCKSTEP_OP_CREATE_RULESET, ...; LOCKSTEP_NUM_OPS. */
enum lockstep_op_kind {
#define LOCKSTEP_OP_C_ENUMERATOR(e, c, name, args, ret, tag, functions) LOCKSTEP_OP_##c,
	LOCKSTEP_OPS(LOCKSTEP_OP_C_ENUMERATOR)
#undef LOCKSTEP_OP_C_ENUMERATOR
	LOCKSTEP_NUM_OPS
};

/* A user buffer: `data` may be NULL; reads past `readable` bytes fault (-EFAULT). */
struct lockstep_user_buf {
	const void *data;
	size_t readable;
};

/* The task's filesystem root for a dirfd (`at`, `at2`), as AT_FDCWD would be. */
#define LOCKSTEP_AT_ROOT (-100)

/*
 * One op's arguments: `kind`, and the fields its LOCKSTEP_ARG_* flags name. C++ passes its
 * OpArgs (engine/engine.h, the same layout, checked there) to the adapter as this.
 */
struct lockstep_op_args {
	int kind;                     /* enum lockstep_op_kind */
	int fd;                       /* LOCKSTEP_ARG_FD */
	struct lockstep_user_buf mem; /* LOCKSTEP_ARG_MEM */
	uint64_t size;                /* LOCKSTEP_ARG_SIZE */
	int addrlen;                  /* LOCKSTEP_ARG_ADDRLEN */
	int rule_type;                /* LOCKSTEP_ARG_RULE_TYPE */
	uint32_t flags;               /* LOCKSTEP_ARG_FLAGS */
	int family;                   /* LOCKSTEP_ARG_SOCKET */
	int type;
	int protocol;
	int at;                       /* LOCKSTEP_ARG_PATH */
	const char *path;
	int at2;                      /* LOCKSTEP_ARG_PATH2 */
	const char *path2;
	uint32_t mode;                /* LOCKSTEP_ARG_MODE */
	uint64_t dev;                 /* LOCKSTEP_ARG_DEV: as makedev(major, minor) encodes it */
};

#endif /* LOCKSTEP_ENGINE_OPS_H_ */
