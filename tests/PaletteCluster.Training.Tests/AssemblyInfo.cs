// Tests run one at a time: each trainer already uses every core, and the hostile-GC test compares a quiet run with
// one under forced collections, which other tests' allocations beside it would blur. Correctness does not need it:
// trainers draw nothing from libtorch's process-wide generator (TrainerIsolationTests runs two at once to prove it).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
