/** Text from strangers made safe to show: {@link dev.hypha.core.text.TerminalText}. */
package dev.hypha.core.text;
