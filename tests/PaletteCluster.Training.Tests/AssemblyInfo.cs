// Weight initialisation and dropout draw from libtorch's process-wide generator, so trainers in parallel
// tests would disturb each other's streams (and the bitwise resume and gradient comparisons with them).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
