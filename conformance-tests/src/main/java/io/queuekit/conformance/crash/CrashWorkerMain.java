package io.queuekit.conformance.crash;

import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.Setting;
import io.queuekit.WorkerPoolQueue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The child process of the crash harness: a {@link QueueManager} running one worker-pool queue of
 * integer ids whose handler appends every id it handles to a log file and syncs it (so the parent
 * can count handled ids however the process dies), and halts the JVM ({@link Runtime#halt}) when it
 * meets the poison id.
 *
 * <p>Arguments: {@code dataPath queueName simple|unique logFile poisonId workMillis KEY=VALUE...},
 * the key-values being the queue's settings as INI text; {@code workMillis} is how long the handler
 * works on each batch (simulated service time, so that kills land mid-stream). Before that work,
 * the handler appends the batch's ids to {@code logFile + ".started"} and syncs it, so the parent
 * knows which ids reached a handler even when a kill ends the batch. Standard output: {@code READY} once the queue
 * runs; then, per line read from standard input: {@code flush} → {@code FLUSHED true|false}, {@code
 * exit} → {@code BYE} after a clean shutdown.
 */
public final class CrashWorkerMain {
  /** Exit status of a JVM halted by the poison item. */
  public static final int POISON_STATUS = 86;

  private CrashWorkerMain() {}

  public static void main(String[] args) throws Exception {
    Path dataPath = Path.of(args[0]);
    String name = args[1];
    boolean unique = args[2].equals("unique");
    Path log = Path.of(args[3]);
    int poison = Integer.parseInt(args[4]);
    long workNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[5]));
    QueueSettings.Builder b = QueueSettings.builder();
    for (int i = 6; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      b.set(Setting.byKey(args[i].substring(0, eq)).orElseThrow(), args[i].substring(eq + 1));
    }
    QueueSettings settings = b.build();

    try (FileChannel out = FileChannel.open(log, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        FileChannel started = FileChannel.open(Path.of(log + ".started"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        QueueManager manager = QueueManager.builder().dataPath(dataPath)
            .config(QueueConfig.of(settings)).claimWait(Duration.ofMillis(200)).build()) {
      QueueSpec<Integer> spec = unique
          ? QueueSpec.unique(name, Integer.class, batch -> handle(batch, started, out, poison, workNanos))
          : QueueSpec.simple(name, Integer.class, batch -> handle(batch, started, out, poison, workNanos));
      WorkerPoolQueue<Integer> q = manager.create(spec);
      System.out.println("READY");
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        if (line.equals("flush")) {
          System.out.println("FLUSHED " + q.flush(Duration.ofSeconds(120)));
        } else if (line.equals("exit")) {
          break;
        }
      }
    }
    System.out.println("BYE");
  }

  private static List<Integer> handle(List<Integer> batch, FileChannel started, FileChannel out,
      int poison, long workNanos) throws IOException {
    StringBuilder reached = new StringBuilder();
    for (int id : batch) {
      reached.append(id).append('\n');
    }
    append(started, reached);
    // The simulated service call; a handler's work, not a wait for an outcome.
    LockSupport.parkNanos(workNanos);
    StringBuilder lines = new StringBuilder();
    for (int id : batch) {
      if (id == poison) {
        // Record what this batch handled before the poison, then die as a native crash would.
        append(out, lines);
        Runtime.getRuntime().halt(POISON_STATUS);
      }
      lines.append(id).append('\n');
    }
    append(out, lines);
    return List.of();
  }

  /** One write per batch, synced before the handler returns (and so before the ack). */
  private static void append(FileChannel out, StringBuilder lines) throws IOException {
    if (lines.length() == 0) {
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
    synchronized (out) {
      while (buf.hasRemaining()) {
        out.write(buf);
      }
      out.force(false);
    }
  }
}
