package io.queuekit.conformance;

/**
 * The two flavours of every stored backend, as a test parameter: {@code @EnumSource(Flavour.class)}
 * runs a test once on a simple queue and once on a unique one.
 */
public enum Flavour {
  /** Every push is stored; {@code has} is always false. */
  SIMPLE,
  /** An identity already waiting is not stored again. */
  UNIQUE;

  /** Whether this is the unique flavour. */
  public boolean unique() {
    return this == UNIQUE;
  }
}
