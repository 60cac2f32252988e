package io.queuekit.level;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The free-space check before each write round: its reserve, its cache, its recovery. */
class DiskSpaceGuardTest {
  private static final long MIB = 1L << 20;

  final AtomicLong usable = new AtomicLong(100 * MIB);
  final AtomicLong nanos = new AtomicLong();
  final AtomicInteger reads = new AtomicInteger();
  final DiskSpaceGuard guard = new DiskSpaceGuard(Path.of("/data/queues"), "ext4 /dev/sda1",
      4 * MIB, () -> {
        reads.incrementAndGet();
        return usable.get();
      }, nanos::get);

  @Test
  void theReserveCoversTheLogRecordAMemtableFlushAndAMappedChunk() {
    // 4 MiB buffer + 1 MiB mapped chunk + 64 KiB slack, and the log framing of an empty batch.
    assertThat(guard.needed(0)).isEqualTo(4 * MIB + MIB + (64 << 10) + 14);
    // A 1 MiB round: its log record (1 MiB + a 7-byte header per 32 KiB block) and its share of
    // the memtable that may be flushed with it.
    long round = MIB;
    assertThat(guard.needed(round) - guard.needed(0)).isEqualTo(2 * round + 7 * (round / 32761));
  }

  @Test
  void freeSpaceIsReadAtMostOncePerTtlAndWhatWasWrittenIsTakenOff() {
    assertThat(guard.refusal(1000)).isNull();
    for (int i = 0; i < 100; i++) {
      assertThat(guard.refusal(1000)).isNull();
      guard.wrote(1000);
    }
    assertThat(reads).hasValue(1); // no syscall per round within the TTL
    nanos.addAndGet(DiskSpaceGuard.TTL_NANOS);
    assertThat(guard.refusal(1000)).isNull();
    assertThat(reads).hasValue(2);
    // Bursts are charged against the cached figure: 95 MiB written → re-read before refusing.
    guard.wrote(48 * MIB);
    usable.set(3 * MIB);
    assertThat(guard.refusal(1000)).isNotNull();
    assertThat(reads).hasValue(3);
  }

  @Test
  void aFullDiskIsRefusedNamingTheSpaceAndSpaceFreedIsSeenAtOnce() {
    usable.set(5 * MIB);
    String why = guard.refusal(4096);
    assertThat(why).contains("the disk is full").contains("5.0 MiB usable on ext4 /dev/sda1")
        .contains("free space " + 5 * MIB + " bytes").contains("needs 5.1 MiB")
        .contains("resume by themselves");
    // Freed by someone else, within the same TTL: the next round re-reads and goes ahead.
    usable.set(50 * MIB);
    assertThat(guard.refusal(4096)).isNull();
  }

  @Test
  void anUnreadableFileStoreNeverRefuses() {
    DiskSpaceGuard blind = new DiskSpaceGuard(Path.of("/x"), "?", 4 * MIB, () -> Long.MAX_VALUE,
        nanos::get);
    assertThat(blind.refusal(Long.MAX_VALUE / 4)).isNull();
  }
}
