"""What many tests share: factories, results and runs built without the harness, real workers
started and stopped, brokers taken down, concurrent requests raced."""
