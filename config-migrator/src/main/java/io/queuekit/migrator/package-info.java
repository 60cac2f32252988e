/**
 * The {@code config-migrator} CLI ({@link io.queuekit.migrator.Main}): {@code check} prints the
 * findings of {@link io.queuekit.ini.ConfigCheck} for an INI file, {@code migrate} moves removed and
 * deprecated queue options to their replacements and converts old Redis connection strings,
 * keeping every untouched byte. Everything but {@code Main} is package-private.
 */
package io.queuekit.migrator;
