package dev.tributary.bench;

import java.util.concurrent.atomic.AtomicLong;

/** Counts processed and poison records across stream threads, with the first and last times. */
public final class Progress {
  private final AtomicLong processed = new AtomicLong();
  private final AtomicLong poison = new AtomicLong();
  private final AtomicLong firstNanos = new AtomicLong();
  private volatile long lastNanos;

  void processed() {
    long now = System.nanoTime();
    if (processed.getAndIncrement() == 0) firstNanos.compareAndSet(0, now);
    lastNanos = now;
  }

  void poison() {
    poison.incrementAndGet();
    lastNanos = System.nanoTime();
  }

  long processedCount() { return processed.get(); }

  long poisonCount() { return poison.get(); }

  /** Records seen, good and poison: what the stop condition compares with the expected count. */
  long seen() { return processed.get() + poison.get(); }

  long firstNanos() { return firstNanos.get(); }

  long lastNanos() { return lastNanos; }
}
