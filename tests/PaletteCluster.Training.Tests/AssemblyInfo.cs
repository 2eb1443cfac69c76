// Tests run one at a time: the GcQuietZone, GcQuietSpan and QuietBatchFeed tests assert process-wide GC state
// (latency mode, gen-0 collection counts) that allocations of any test running beside them would change.
// Trainers no longer need this: they draw nothing from libtorch's process-wide generator, and
// TrainerIsolationTests runs two at once on two threads to prove it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
