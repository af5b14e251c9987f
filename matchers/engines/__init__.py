"""Where duplicate matching can run past one machine: splink on Spark (`splink_spark`, extra [spark])."""
