"""`make bench`: page throughput and latency on a freshly seeded database (see __main__)."""
