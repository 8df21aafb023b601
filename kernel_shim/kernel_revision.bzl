"""A kernel revision: a tree's Landlock files compiled unchanged against kernel_shim/."""

load("@rules_cc//cc:defs.bzl", "cc_library")

# How kernel-world C is compiled: the kernel's own code-generation flags where they change
# semantics (aliasing, overflow, null checks), and the shim's headers first on the path.
KERNEL_COPTS = [
    "-std=gnu11",
    "-fno-strict-aliasing",
    "-fno-strict-overflow",
    "-fno-delete-null-pointer-checks",
    "-fno-common",
    "-Wall",
    "-Wno-unused-function",
    "-Ikernel_shim/include",
]

# The shim with its state process-wide instead of per OS thread, for the hybrid engine
# (selftests/): _Thread_local compiled away, so every thread of a real process reaches the one
# simulated process (one call at a time, the hybrid engine's lock); its threads are the real
# process's, so the model's thread limit (engine/ops.h) gives way to a larger one.
PROCESS_WIDE_COPTS = [
    "-D_Thread_local=",
    "-DLOCKSTEP_PROCESS_WIDE",
    "-DLOCKSTEP_MAX_THREADS=256",
]

# The files each adapter generation compiles from the tree.
KERNEL_FILES = {
    "6.12": [
        "lib/rbtree.c",
        "security/landlock/ruleset.c",
        "security/landlock/object.c",
        "security/landlock/cred.c",
        "security/landlock/fs.c",
        "security/landlock/net.c",
        "security/landlock/syscalls.c",
        # The between-tasks hooks (ptrace, scopes for signals and abstract UNIX sockets).
        "security/landlock/task.c",
    ],
    # No net.c (network rules came in 6.7); ptrace.c is not compiled (no ptrace model).
    "6.1": [
        "lib/rbtree.c",
        "security/landlock/ruleset.c",
        "security/landlock/object.c",
        "security/landlock/cred.c",
        "security/landlock/fs.c",
        "security/landlock/syscalls.c",
    ],
}

# The kernel configuration each generation is compiled with: every CONFIG_ option a tree's
# security/landlock/Makefile conditions a file on must be listed (on or off) for a generation
# whose files come from the Makefile; the values reach the shim as -DLOCKSTEP_CONFIG_<option>
# (lockstep_shim/stubs.h). 6.12 and 6.1 use the shim's defaults (INET on, the rest off) and
# KERNEL_FILES above.
KERNEL_CONFIG = {
    "7": {
        "CONFIG_INET": True,
        "CONFIG_AUDIT": True,
        "CONFIG_SECURITY_LANDLOCK_LOG": True,
        # Tracepoints compile to no-ops (lockstep_shim/stubs.h); trace.c is not built.
        "CONFIG_TRACEPOINTS": False,
    },
}

ADAPTERS = {
    "7": "//kernel_shim:adapter/landlock_7.c",
    "6.12": "//kernel_shim:adapter/landlock_6_12.c",
    "6.1": "//kernel_shim:adapter/landlock_6_1.c",
}

def kernel_files(generation, makefile_objects):
    """The tree files a generation compiles: lib/rbtree.c and, for a generation in KERNEL_CONFIG,
    what the tree's security/landlock/Makefile builds with that configuration (landlock-y plus
    each landlock-$(CONFIG_X) whose option is on); otherwise KERNEL_FILES[generation]."""
    if generation not in KERNEL_CONFIG:
        return KERNEL_FILES[generation]
    config = KERNEL_CONFIG[generation]
    if "y" not in makefile_objects:
        fail("kernel tree of generation %s: no landlock-y in its security/landlock/Makefile" %
             generation)
    files = ["lib/rbtree.c"]
    for cond, objects in makefile_objects.items():
        if cond != "y":
            if cond not in config:
                fail("kernel tree: its security/landlock/Makefile builds %s with %s, which " % (
                    ", ".join(objects),
                    cond,
                ) + "KERNEL_CONFIG[\"%s\"] (//kernel_shim:kernel_revision.bzl) does not list" %
                     generation)
            if not config[cond]:
                continue
        files.extend([f for f in objects if f not in files])
    return files

def kernel_config_copts(generation):
    """-DLOCKSTEP_CONFIG_<option>=0|1 for the generation's KERNEL_CONFIG (none for 6.12/6.1)."""
    return [
        "-DLOCKSTEP_%s=%d" % (option, 1 if on else 0)
        for option, on in sorted(KERNEL_CONFIG.get(generation, {}).items())
        if option != "CONFIG_INET"  # always on in the shim
    ]

def kernel_tree_copts(tree):
    """KERNEL_COPTS plus the include paths of kernel_tree repository `tree` (e.g. "@kernel_tree")."""
    tree_dir = "external/" + tree.lstrip("@")
    return KERNEL_COPTS + [
        "-I" + tree_dir + "/include",
        "-I" + tree_dir + "/security/landlock",
        "-I" + tree_dir,
    ]

def _own_objects(target):
    """The object files `target` itself compiled (not its deps'), PIC ones where built."""
    objects = []
    for linker_input in target[CcInfo].linking_context.linker_inputs.to_list():
        if linker_input.owner != target.label:
            continue
        for library in linker_input.libraries:
            objects.extend(library.pic_objects or library.objects)
    return objects

def _isolated_object_impl(ctx):
    objects = []
    for dep in ctx.attr.deps:
        objects.extend(_own_objects(dep))
    if not objects:
        fail("isolated_object %s: no object files in %s" % (ctx.label, ctx.attr.deps))
    linked = ctx.actions.declare_file(ctx.label.name + ".linked.o")
    out = ctx.actions.declare_file(ctx.label.name + ".o")
    ctx.actions.run_shell(
        inputs = objects,
        outputs = [linked],
        command = 'ld -r -o "$1" "${@:2}"',
        arguments = [linked.path] + [o.path for o in objects],
        mnemonic = "KernelRevisionLink",
        progress_message = "Linking kernel revision %s into one object" % ctx.label,
    )
    ctx.actions.run_shell(
        inputs = [linked],
        outputs = [out],
        command = 'objcopy --keep-global-symbol="$1" "$2" "$3"',
        arguments = [ctx.attr.keep, linked.path, out.path],
        mnemonic = "KernelRevisionIsolate",
        progress_message = "Keeping only %s global in %s" % (ctx.attr.keep, ctx.label),
    )
    return [DefaultInfo(files = depset([out]))]

# One relocatable object holding a revision's kernel code, shim and adapter, with every symbol
# local but the adapter's entry point: two revisions (or a revision and a mutant of it) then
# link into one process without clashing, each with its own shim state.
isolated_object = rule(
    implementation = _isolated_object_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo], mandatory = True),
        "keep": attr.string(mandatory = True),
    },
)

def kernel_revision(
        name,
        tree,
        api_symbol,
        generation = "6.12",
        makefile_objects = {},
        shim = "//kernel_shim:shim",
        host = "//kernel_shim:host",
        extra_copts = [],
        **kwargs):
    """Compiles one kernel tree's Landlock code with the shim and an adapter.

    Produces:
      <name>: the revision, isolated: only `api_symbol` is global (see isolated_object), so any
          number of revisions link into one binary.
      <name>_objects: the same code with every symbol global, for tests that call kernel
          functions directly (never link it together with another revision).

    Args:
      name: the cc_library's name.
      tree: the kernel_tree repository, e.g. "@kernel_tree".
      api_symbol: the C function returning this revision's lockstep_kernel_api table.
      generation: which adapter (Landlock internal API generation) to use.
      makefile_objects: the tree's MAKEFILE_OBJECTS (@<tree>//:generation.bzl), which the
          generations of KERNEL_CONFIG take their file list from.
      shim, host: the shim's libraries (//kernel_shim:shim_process_wide and :host_process_wide
          for the hybrid engine, with extra_copts = PROCESS_WIDE_DEFINES).
      extra_copts: more flags for the tree's files and the adapter.
      **kwargs: passed to the cc_libraries (visibility, ...).
    """
    cc_library(
        name = name + "_objects",
        srcs = [tree + "//:" + f for f in kernel_files(generation, makefile_objects)] +
               [ADAPTERS[generation]],
        textual_hdrs = [
            "//kernel_shim:adapter/compute_errata.h",
            "//kernel_shim:adapter/entry_table.h",
        ],
        copts = kernel_tree_copts(tree) + kernel_config_copts(generation) +
                ["-DLOCKSTEP_API_SYMBOL=" + api_symbol] + extra_copts,
        deps = [
            "//kernel_shim:api",
            "//kernel_shim:headers",
            host,
            shim,
            tree + "//:landlock_headers",
            tree + "//:tree_info",
        ],
        linkstatic = True,
        **kwargs
    )
    isolated_object(
        name = name + "_isolated",
        deps = [name + "_objects", shim],
        keep = api_symbol,
    )
    cc_library(
        name = name,
        srcs = [name + "_isolated"],
        deps = [
            "//kernel_shim:api",
            host,
            # gdb loads tools/gdb/lockstep_gdb.py for any binary holding a revision.
            "//tools/gdb:auto_load",
        ],
        linkstatic = True,
        alwayslink = True,
        **kwargs
    )
