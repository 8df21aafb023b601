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

# The files each adapter generation compiles from the tree.
KERNEL_FILES = {
    "6.12": [
        "lib/rbtree.c",
        "security/landlock/ruleset.c",
        "security/landlock/object.c",
        "security/landlock/cred.c",
        "security/landlock/net.c",
        "security/landlock/syscalls.c",
    ],
}

ADAPTERS = {
    "6.12": "//kernel_shim:adapter/landlock_6_12.c",
}

def kernel_tree_copts(tree):
    """KERNEL_COPTS plus the include paths of kernel_tree repository `tree` (e.g. "@kernel_tree")."""
    tree_dir = "external/" + tree.lstrip("@")
    return KERNEL_COPTS + [
        "-I" + tree_dir + "/include",
        "-I" + tree_dir + "/security/landlock",
        "-I" + tree_dir,
    ]

def kernel_revision(name, tree, api_symbol, generation = "6.12", **kwargs):
    """Compiles one kernel tree's Landlock code with the shim and an adapter.

    Args:
      name: the cc_library's name.
      tree: the kernel_tree repository, e.g. "@kernel_tree".
      api_symbol: the C function returning this revision's lockstep_kernel_api table.
      generation: which adapter (Landlock internal API generation) to use.
      **kwargs: passed to cc_library (visibility, ...).
    """
    cc_library(
        name = name,
        srcs = [tree + "//:" + f for f in KERNEL_FILES[generation]] + [ADAPTERS[generation]],
        copts = kernel_tree_copts(tree) + ["-DLOCKSTEP_API_SYMBOL=" + api_symbol],
        deps = [
            "//kernel_shim:api",
            "//kernel_shim:headers",
            "//kernel_shim:shim",
            tree + "//:landlock_headers",
            tree + "//:tree_info",
        ],
        **kwargs
    )
