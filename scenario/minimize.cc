#include "scenario/minimize.h"

namespace lockstep {
namespace {

void Renumber(FdRef& ref, size_t removed) {
  if (ref.kind != FdRef::Kind::kHandle || ref.value < 0) return;
  const size_t h = static_cast<size_t>(ref.value);
  if (h == removed) {
    ref = FdRef::Raw(-1);
  } else if (h > removed) {
    ref.value--;
  }
}

}  // namespace

Scenario WithoutOp(const Scenario& s, size_t index) {
  Scenario out;
  out.task = s.task;
  out.ops.reserve(s.ops.size());
  for (size_t i = 0; i < s.ops.size(); ++i) {
    if (i == index) continue;
    Op op = s.ops[i];
    Renumber(op.fd, index);
    if (op.parent_fd) Renumber(*op.parent_fd, index);
    if (op.at) Renumber(*op.at, index);
    if (op.at2) Renumber(*op.at2, index);
    out.ops.push_back(std::move(op));
  }
  return out;
}

Scenario MinimizeScenario(const Scenario& s, const std::function<bool(const Scenario&)>& still_fails,
                          int max_tries) {
  Scenario best = s;
  int tries = 0;
  // Chunks from half the scenario down to two ops, from the end backwards (the ops after the
  // problem usually do not matter, and removing them first keeps earlier handles stable).
  for (size_t chunk = best.ops.size() / 2; chunk >= 2 && tries < max_tries; chunk /= 2) {
    size_t start = best.ops.size();
    while (start > 0 && tries < max_tries) {
      start = start > chunk ? start - chunk : 0;
      Scenario candidate = best;
      for (size_t k = 0; k < chunk && start < candidate.ops.size(); ++k) {
        candidate = WithoutOp(candidate, start);
      }
      ++tries;
      if (still_fails(candidate)) best = std::move(candidate);
    }
  }
  // Then single ops, until a whole pass removes nothing.
  bool progress = true;
  while (progress && tries < max_tries) {
    progress = false;
    for (size_t i = best.ops.size(); i-- > 0 && tries < max_tries;) {
      Scenario candidate = WithoutOp(best, i);
      ++tries;
      if (still_fails(candidate)) {
        best = std::move(candidate);
        progress = true;
      }
    }
  }
  return best;
}

}  // namespace lockstep
