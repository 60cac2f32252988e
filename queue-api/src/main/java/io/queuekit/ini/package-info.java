/**
 * Queue configuration from INI files, read the way Gitea reads {@code app.ini}.
 *
 * <ul>
 *   <li>{@link io.queuekit.ini.IniFile}: a lossless model of the file (every byte of lines it does
 *       not edit is kept), read with go-ini's rules as Gitea configures go-ini: sections {@code
 *       [name]} (case-sensitive, blanks kept), {@code key = value} and {@code key: value}
 *       (case-sensitive keys), comment lines starting with {@code ;} or {@code #}, an inline
 *       comment from the first {@code ;} or {@code #} of an unquoted value, values quoted with
 *       backticks or {@code """} (both may span lines), one pair of surrounding {@code "} or
 *       {@code '} removed, no continuation lines, the last of repeated keys wins. It keeps the
 *       bytes once and reads a section's entries when asked, so memory and time stay linear in
 *       the file's size; {@link io.queuekit.ini.IniFile#edit()} applies many edits in one pass.
 *   <li>{@link io.queuekit.ini.IniQueueConfig}: the {@link io.queuekit.QueueConfig} a {@code
 *       QueueManager} uses: defaults, then {@code [queue]}, then {@code [queue.NAME]}.
 *   <li>{@link io.queuekit.ini.ConfigCheck}: every check, shared by loading and the config
 *       migrator; {@link io.queuekit.ini.Finding} is one result.
 *   <li>{@link io.queuekit.ini.OldOption}: options Gitea removed or deprecated, and their
 *       replacements; backends' outdated {@code CONN_STR} forms are theirs ({@link
 *       io.queuekit.spi.BaseQueueFactory#currentConnStr}).
 * </ul>
 *
 * <p>Services need {@link io.queuekit.ini.IniQueueConfig} (and see {@link
 * io.queuekit.ini.IniParseException} and {@link io.queuekit.ini.Finding}s). The file model
 * ({@link io.queuekit.ini.IniFile}, {@link io.queuekit.ini.IniSection}, {@link
 * io.queuekit.ini.IniEntry}), {@link io.queuekit.ini.ConfigCheck} and {@link
 * io.queuekit.ini.OldOption} are public for {@code config-migrator} and for tools that check or
 * rewrite a configuration the way queuekit reads it.
 */
package io.queuekit.ini;
