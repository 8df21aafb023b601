"""dbg_binary: a cc_binary rebuilt with -c dbg, whatever configuration the build runs in.

The gdb test needs full debug info (types of the kernel structures for the pretty-printers) while
`bazel test //...` builds fastbuild (no -g) and --config=asan adds -gline-tables-only, which would
override -g. This rule builds `binary` and everything it links through a transition to
compilation_mode=dbg, with -gline-tables-only dropped from --copt; other options (the compiler,
sanitizers) stay. The transitioned outputs live in their own bazel-out directory.
"""

def _dbg_transition_impl(settings, attr):
    copts = [c for c in settings["//command_line_option:copt"] if c != "-gline-tables-only"]
    return {
        "//command_line_option:compilation_mode": "dbg",
        "//command_line_option:copt": copts,
    }

_dbg_transition = transition(
    implementation = _dbg_transition_impl,
    inputs = ["//command_line_option:copt"],
    outputs = [
        "//command_line_option:compilation_mode",
        "//command_line_option:copt",
    ],
)

def _dbg_binary_impl(ctx):
    target = ctx.attr.binary[0]
    executable = target[DefaultInfo].files_to_run.executable
    out = ctx.actions.declare_file(ctx.label.name)
    ctx.actions.symlink(output = out, target_file = executable, is_executable = True)
    runfiles = ctx.runfiles(files = [executable]).merge(target[DefaultInfo].default_runfiles)
    return [DefaultInfo(executable = out, files = depset([out]), runfiles = runfiles)]

dbg_binary = rule(
    implementation = _dbg_binary_impl,
    attrs = {
        "binary": attr.label(
            mandatory = True,
            executable = True,
            cfg = _dbg_transition,
            doc = "the cc_binary to build with -c dbg",
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
    executable = True,
)
