"""lockstep_fuzz_target: one fuzz target, built for whichever fuzzing engine the config selects.

  --config=libfuzzer   links libFuzzer (-fsanitize=fuzzer; the config adds ASan + UBSan)
  --config=afl         links AFL++'s libAFLDriver.a (persistent mode; afl-clang-fast instruments)
  --define=lockstep_fuzzing_engine=external
                       links nothing: the engine comes from --linkopt (fuzz/oss_fuzz_build.sh
                       passes $LIB_FUZZING_ENGINE that way)
  (default)            links fuzz/replay_main.cc: runs each file / directory argument once,
                       so `bazel build //...` with gcc builds every target and tests replay seeds
"""

load("@rules_cc//cc:defs.bzl", "cc_binary")

def lockstep_fuzz_target(name, srcs, deps = [], **kwargs):
    """A cc_binary defining LLVMFuzzerTestOneInput, with the configured engine's main().

    Args:
      name: the binary's name.
      srcs: the target's sources (define LLVMFuzzerTestOneInput, optionally LLVMFuzzerInitialize).
      deps: its libraries.
      **kwargs: passed to cc_binary (tags, visibility, ...).
    """
    cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + select({
            "//bazel:libfuzzer": [],
            "//bazel:afl": [],
            "//fuzz:external_engine": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//bazel:libfuzzer": ["-fsanitize=fuzzer"],
            "//bazel:afl": ["/usr/lib/afl/libAFLDriver.a"],
            "//fuzz:external_engine": [],
            "//conditions:default": [],
        }),
        **kwargs
    )
