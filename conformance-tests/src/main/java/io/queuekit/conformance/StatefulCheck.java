package io.queuekit.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A stateful property: random sequences of steps run against a fresh state, an invariant checked
 * after each step; a failing sequence is shrunk to a short one and reported with the seed that
 * replays it ({@code -Dqueuekit.model.seed=SEED}).
 *
 * <p>Written here rather than taken from a library: jqwik, which the project used before, asks
 * that AI coding agents not use it, and we respect that; junit-quickcheck has no stateful
 * (action-sequence) testing, and QuickTheories has had no release since 2019. What the model
 * test needs is small: weighted actions with preconditions, seeded generation, and shrinking by
 * deleting steps (delta debugging), which is what this class does.
 *
 * <p>A step's parameters are drawn when it is generated; what they pick among (a held delivery,
 * a dead letter) is resolved when it runs, so a shrunk sequence stays meaningful. A step whose
 * precondition does not hold when its turn comes is skipped. <b>Thread-safety:</b> one check at
 * a time; the state is only touched by the calling thread.
 *
 * @param <S> the state: a real queue and its model
 */
public final class StatefulCheck<S> {

  /** One operation of a sequence, with its parameters already drawn. */
  public interface Step<S> {
    String name();

    boolean allowed(S state);

    void run(S state) throws Exception;
  }

  /** A step named {@code name}, run when {@code allowed} holds. */
  public static <S> Step<S> step(String name, Predicate<S> allowed, Consumer<S> run) {
    return new Step<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean allowed(S state) {
        return allowed.test(state);
      }

      @Override
      public void run(S state) {
        run.accept(state);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** A step allowed at any time. */
  public static <S> Step<S> step(String name, Consumer<S> run) {
    return step(name, s -> true, run);
  }

  private record Weighted<S>(int weight, Function<Random, Step<S>> draw) {}

  /** A try that failed: its seed, the steps it ran (the last one failed) and what was thrown. */
  private record Attempt<S>(long seed, List<Step<S>> steps, Throwable cause) {}

  /** A failing sequence: the seed of its try, the (shrunk) steps, and what the last one threw. */
  public record Failure(long seed, List<String> steps, Throwable cause, int originalLength) {
    /** What a failing test prints: the seed to replay, the steps, the cause. */
    public String report(String property) {
      StringBuilder b = new StringBuilder(property).append(" failed (seed ").append(seed)
          .append("; replay it alone with -Dqueuekit.model.seed=").append(seed).append("), shrunk from ")
          .append(originalLength).append(" to ").append(steps.size()).append(" steps:\n");
      for (int i = 0; i < steps.size(); i++) {
        b.append("  ").append(i + 1).append(". ").append(steps.get(i)).append('\n');
      }
      return b.append("cause: ").append(cause).toString();
    }
  }

  private final Supplier<S> start;
  private final Consumer<S> invariant;
  private final Consumer<S> close;
  private final List<Weighted<S>> actions = new ArrayList<>();
  private final int maxSteps;
  /** Replays a shrink may spend: bounds a failing run's time (each replay reopens a real queue). */
  private static final int SHRINK_BUDGET = 400;

  /**
   * @param start makes a fresh state for a try (and for each replay while shrinking)
   * @param invariant checked after every step; throws when the state is wrong
   * @param close releases a state when its try or replay ends
   * @param maxSteps the most steps one try runs
   */
  public StatefulCheck(Supplier<S> start, Consumer<S> invariant, Consumer<S> close, int maxSteps) {
    this.start = start;
    this.invariant = invariant;
    this.close = close;
    this.maxSteps = maxSteps;
  }

  /** Adds an action drawn with relative {@code weight}; {@code draw} makes one step from the random. */
  public StatefulCheck<S> action(int weight, Function<Random, Step<S>> draw) {
    actions.add(new Weighted<>(weight, draw));
    return this;
  }

  /**
   * Runs {@code tries} tries with seeds from {@code masterSeed}, or only the try {@code
   * replaySeed} when given; returns the first failure, shrunk.
   */
  public Optional<Failure> find(int tries, long masterSeed, Long replaySeed) {
    if (replaySeed != null) {
      return tryOnce(replaySeed).map(this::shrink);
    }
    SplittableRandom seeds = new SplittableRandom(masterSeed);
    for (int i = 0; i < tries; i++) {
      Optional<Attempt<S>> f = tryOnce(seeds.nextLong());
      if (f.isPresent()) {
        return Optional.of(shrink(f.get()));
      }
    }
    return Optional.empty();
  }

  /** One try: steps drawn from {@code seed} until one fails or {@code maxSteps} ran. */
  private Optional<Attempt<S>> tryOnce(long seed) {
    Random random = new Random(seed);
    int total = actions.stream().mapToInt(Weighted::weight).sum();
    List<Step<S>> ran = new ArrayList<>();
    S state = start.get();
    try {
      for (int n = 0; n < maxSteps; n++) {
        Step<S> step = draw(random, total, state);
        if (step == null) {
          break;
        }
        ran.add(step);
        step.run(state);
        invariant.accept(state);
      }
      return Optional.empty();
    } catch (Throwable t) {
      return Optional.of(new Attempt<>(seed, List.copyOf(ran), t));
    } finally {
      close.accept(state);
    }
  }

  /** A step whose precondition holds, or null when 50 draws found none. */
  private Step<S> draw(Random random, int total, S state) {
    for (int attempt = 0; attempt < 50; attempt++) {
      int pick = random.nextInt(total);
      for (Weighted<S> w : actions) {
        pick -= w.weight();
        if (pick < 0) {
          Step<S> step = w.draw().apply(random);
          if (step.allowed(state)) {
            return step;
          }
          break;
        }
      }
    }
    return null;
  }

  /** Deletes chunks of steps, halving the chunk size, while the sequence still fails. */
  private Failure shrink(Attempt<S> failure) {
    List<Step<S>> steps = failure.steps();
    Throwable cause = failure.cause();
    int budget = SHRINK_BUDGET;
    int chunk = Math.max(1, steps.size() / 2);
    while (chunk >= 1 && budget > 0) {
      boolean shrunk = false;
      for (int i = 0; i + chunk <= steps.size() && budget > 0; ) {
        List<Step<S>> candidate = new ArrayList<>(steps.subList(0, i));
        candidate.addAll(steps.subList(i + chunk, steps.size()));
        budget--;
        Throwable t = replay(candidate);
        if (t != null) {
          steps = candidate;
          cause = t;
          shrunk = true;
        } else {
          i += chunk;
        }
      }
      if (!shrunk) {
        chunk /= 2;
      }
    }
    return new Failure(failure.seed(), names(steps), cause, failure.steps().size());
  }

  /** What running {@code steps} on a fresh state throws, or null when it passes. */
  private Throwable replay(List<Step<S>> steps) {
    S state = start.get();
    try {
      for (Step<S> step : steps) {
        if (step.allowed(state)) {
          step.run(state);
          invariant.accept(state);
        }
      }
      return null;
    } catch (Throwable t) {
      return t;
    } finally {
      close.accept(state);
    }
  }

  private static <S> List<String> names(List<Step<S>> steps) {
    return steps.stream().map(Step::name).toList();
  }
}
