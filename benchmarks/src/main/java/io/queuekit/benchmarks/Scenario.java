package io.queuekit.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One keyed section of BENCHMARKS.md: a comparison of our side with its baselines. Each backend
 * issue adds one (channel, level, redis) to {@link Scenarios#all()}; the generator rewrites only
 * the sections of the scenarios it ran, so adding a scenario never touches another's section.
 *
 * <p>Implementations are stateless; {@link #run} may be called more than once.
 */
interface Scenario {

  /** The section key: lower case, stable; it names the section's markers in the file. */
  String key();

  /** The section heading. */
  String title();

  /**
   * Why this scenario cannot run here (a backend jar or a server is absent), or empty. A scenario
   * that cannot run is skipped and its section says why.
   */
  Optional<String> unavailable();

  /** Expected wall time, so the generator can check the whole run fits its budget. */
  Duration estimate(Profile profile);

  /**
   * Runs the scenario.
   *
   * @param quiet suppress JMH's progress output (the smoke test)
   * @throws Exception any failure: the generator stops and writes nothing
   */
  Result run(Profile profile, boolean quiet) throws Exception;

  /** How long and how carefully to measure. */
  enum Profile {
    /** The settings BENCHMARKS.md is generated with, stated in its sections. */
    FULL,
    /** About a second per scenario, in-process: proves the scenario runs and yields numbers. */
    SMOKE
  }

  /**
   * What a scenario produced.
   *
   * @param markdown the section body (the generator adds the heading and the "measured" line)
   * @param numbers every measured number by name ({@code side.metric}), for the smoke test
   */
  record Result(String markdown, Map<String, Double> numbers) {}
}
