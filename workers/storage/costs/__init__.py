"""Cost storage: the `costs` row contract, the exact hourly rollup (`settle`), reads that combine
the rollup with the unsettled tail, and re-pricing of stored history."""
