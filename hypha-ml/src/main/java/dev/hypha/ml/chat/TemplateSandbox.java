package dev.hypha.ml.chat;

import com.hubspot.jinjava.el.JinjavaNodePreProcessor;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.tree.Node;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongBiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * What a chat template from a model file may do. Jinjava evaluates Java method calls on strings and has filters whose
 * output size is an argument, so a template could allocate without bound ({@code 'x'.repeat(100000000)} ran) or loop
 * for hours producing nothing. The sandbox:
 * <ul>
 *   <li>allows on strings only the methods templates use (Python's, mapped by {@link ChatTemplate}, and a few read-only
 *       Java ones), with {@code split} as Python's literal split (a Java regex could backtrack for hours) and
 *       {@code strip/lstrip/rstrip} taking Python's optional characters; {@code repeat}, {@code concat} and
 *       {@code replace} are checked against {@link ChatTemplate#MAX_STRING_LENGTH} before they allocate;</li>
 *   <li>checks the size arguments of {@code center}, {@code indent}, {@code format}, {@code batch}, {@code slice}
 *       before the filter runs, and disables {@code render} (it would run message text as a template);</li>
 *   <li>counts the nodes a render evaluates ({@link ChatTemplate#MAX_NODES}) and checks the template's clock against
 *       {@link ChatTemplate#MAX_RENDER_TIME} at each one.</li>
 * </ul>
 * Crossing a limit throws {@link Limit}, an {@link Error} on purpose: Jinjava turns every {@link Exception} thrown
 * inside a tag into a recorded error and keeps rendering (a loop would go on failing a million times), while an Error
 * unwinds the whole render, which {@link ChatTemplate#render} turns into a {@link ChatTemplateException}.
 */
final class TemplateSandbox {
    private TemplateSandbox() {
    }

    /** A limit was crossed; the message names it. Carries no stack trace (it is control flow, not a bug). */
    static final class Limit extends Error {
        private static final long serialVersionUID = 1L;

        Limit(String message) {
            super(message, null, false, false);
        }
    }

    /** One render's budget: steps taken and the time it must end by (in the template clock's millis). */
    static final class Budget {
        private final java.time.Clock clock;
        private final long deadlineMillis;
        private long nodes;

        Budget(java.time.Clock clock) {
            this.clock = clock;
            this.deadlineMillis = clock.millis() + ChatTemplate.MAX_RENDER_TIME.toMillis();
        }

        void step() {
            if (++nodes > ChatTemplate.MAX_NODES) {
                throw new Limit("chat template took more than " + ChatTemplate.MAX_NODES + " steps to render"
                        + " (a loop that never ends, or one far larger than any conversation needs)");
            }
            if (clock.millis() > deadlineMillis) {
                throw new Limit("chat template took longer than " + ChatTemplate.MAX_RENDER_TIME.toSeconds()
                        + " s to render");
            }
        }
    }

    /** Runs before every node Jinjava renders: Jinjava's own checks, then the budget of the current render. */
    static final class Steps extends JinjavaNodePreProcessor {
        @Override
        public void accept(Node node, JinjavaInterpreter interpreter) {
            super.accept(node, interpreter);
            Budget budget = ChatTemplate.currentBudget();
            if (budget != null) {
                budget.step();
            }
        }
    }

    static Limit tooLong(long length) {
        return new Limit("chat template builds a string of " + length + " characters, longer than the limit of "
                + ChatTemplate.MAX_STRING_LENGTH + " characters");
    }

    static void requireLength(long length) {
        if (length > ChatTemplate.MAX_STRING_LENGTH) {
            throw tooLong(length);
        }
    }

    /** String methods that only read, or return at most their input's size (case changes at most triple it). */
    private static final Set<String> READ_ONLY_STRING_METHODS = Set.of("startsWith", "endsWith", "toUpperCase",
            "toLowerCase", "stripLeading", "stripTrailing", "trim", "contains", "indexOf", "lastIndexOf", "length",
            "isEmpty", "isBlank", "substring", "charAt", "equals", "equalsIgnoreCase", "compareTo", "toString",
            "hashCode");

    /** Wraps Jinjava's resolver so that method calls on strings go through {@link #invokeOnString}. */
    static ELResolver resolver(ELResolver delegate) {
        return new ELResolver() {
            @Override
            public Class<?> getCommonPropertyType(ELContext context, Object base) {
                return delegate.getCommonPropertyType(context, base);
            }

            @Override
            public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
                return delegate.getFeatureDescriptors(context, base);
            }

            @Override
            public Class<?> getType(ELContext context, Object base, Object property) {
                return delegate.getType(context, base, property);
            }

            @Override
            public Object getValue(ELContext context, Object base, Object property) {
                return delegate.getValue(context, base, property);
            }

            @Override
            public boolean isReadOnly(ELContext context, Object base, Object property) {
                return delegate.isReadOnly(context, base, property);
            }

            @Override
            public void setValue(ELContext context, Object base, Object property, Object value) {
                delegate.setValue(context, base, property, value);
            }

            @Override
            public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
                if (base instanceof String text && method != null) {
                    String name = method.toString();
                    if (READ_ONLY_STRING_METHODS.contains(name)) {
                        return delegate.invoke(context, base, method, paramTypes, params);
                    }
                    Object result = invokeOnString(text, name, params == null ? new Object[0] : params);
                    context.setPropertyResolved(true);
                    return result;
                }
                return delegate.invoke(context, base, method, paramTypes, params);
            }
        };
    }

    /** The string methods with Python meaning or a size to check; anything else is refused by name. */
    static Object invokeOnString(String text, String method, Object[] args) {
        return switch (method) {
            case "split" -> split(text, args.length > 0 ? args[0] : null, args.length > 1 ? count(args[1]) : -1);
            case "strip" -> args.length == 0 || args[0] == null ? text.strip() : rstrip(lstrip(text, chars(args[0])), chars(args[0]));
            case "lstrip" -> args.length == 0 || args[0] == null ? text.stripLeading() : lstrip(text, chars(args[0]));
            case "rstrip" -> args.length == 0 || args[0] == null ? text.stripTrailing() : rstrip(text, chars(args[0]));
            case "repeat" -> {
                long times = count(args.length > 0 ? args[0] : null);
                if (times < 0) {
                    throw new Limit("chat template called repeat(" + times + "); the count must not be negative");
                }
                requireLength(times != 0 && text.length() > Long.MAX_VALUE / times ? Long.MAX_VALUE
                        : text.length() * times);
                yield text.repeat((int) times);
            }
            case "concat" -> {
                String other = String.valueOf(args.length > 0 ? args[0] : "");
                requireLength((long) text.length() + other.length());
                yield text.concat(other);
            }
            case "replace" -> {
                if (args.length != 2) throw refused(method);
                String target = String.valueOf(args[0]);
                String replacement = String.valueOf(args[1]);
                requireLength(replacedLength(text, target, replacement));
                yield text.replace(target, replacement);
            }
            default -> throw refused(method);
        };
    }

    private static Limit refused(String method) {
        return new Limit("string method " + method + "() is not available to chat templates (they may call split,"
                + " strip, lstrip, rstrip, replace, startswith, endswith, upper, lower, title and capitalize)");
    }

    private static long count(Object value) {
        if (!(value instanceof Number n)) {
            throw new Limit("chat template passed " + value + " where a count was expected");
        }
        return n.longValue();
    }

    private static String chars(Object value) {
        return String.valueOf(value);
    }

    private static String lstrip(String text, String chars) {
        int start = 0;
        while (start < text.length() && chars.indexOf(text.charAt(start)) >= 0) start++;
        return text.substring(start);
    }

    private static String rstrip(String text, String chars) {
        int end = text.length();
        while (end > 0 && chars.indexOf(text.charAt(end - 1)) >= 0) end--;
        return text.substring(0, end);
    }

    /** Python's {@code str.split}: literal separator keeping empty parts, or runs of whitespace when none is given. */
    static List<String> split(String text, Object separator, long maxSplit) {
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            String rest = text.stripLeading();
            while (!rest.isEmpty()) {
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(rest.stripTrailing()); // Python keeps the remainder as it is, minus trailing space
                    return parts;
                }
                int end = 0;
                while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) end++;
                parts.add(rest.substring(0, end));
                rest = rest.substring(end).stripLeading();
            }
            return parts;
        }
        String sep = String.valueOf(separator);
        if (sep.isEmpty()) {
            throw new Limit("chat template called split('') (Python refuses an empty separator)");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = text.indexOf(sep, from)) >= 0) {
            parts.add(text.substring(from, at));
            from = at + sep.length();
        }
        parts.add(text.substring(from));
        return parts;
    }

    /** The exact length {@code text.replace(target, replacement)} would have. */
    private static long replacedLength(String text, String target, String replacement) {
        long occurrences;
        if (target.isEmpty()) {
            occurrences = text.length() + 1L; // Java inserts the replacement between every two characters
        } else {
            occurrences = 0;
            for (int at = text.indexOf(target); at >= 0; at = text.indexOf(target, at + target.length())) occurrences++;
        }
        return text.length() + occurrences * (replacement.length() - (long) target.length());
    }

    private static final Pattern FORMAT_WIDTH = Pattern.compile("%[-#+ 0,(<]*(\\d+)");

    /**
     * Replaces the filters whose output size is one of their arguments with checked versions of themselves, and
     * disables {@code render}.
     */
    static void guardFilters(Context context) {
        guard(context, "center", (input, args) -> Math.max(length(input), number(args, 0, 80)));
        guard(context, "indent", (input, args) -> {
            long lines = String.valueOf(input).lines().count() + 1;
            return length(input) + lines * number(args, 0, 4);
        });
        guard(context, "format", (input, args) -> {
            long total = length(input);
            Matcher m = FORMAT_WIDTH.matcher(String.valueOf(input));
            while (m.find()) total += m.group(1).length() > 9 ? Long.MAX_VALUE / 2 : Long.parseLong(m.group(1));
            for (Object arg : args) total += length(arg);
            return total;
        });
        guard(context, "batch", (input, args) -> number(args, 0, 1) * 16);
        guard(context, "slice", (input, args) -> number(args, 0, 1) * 16);
    }

    private static long length(Object value) {
        return value == null ? 0 : String.valueOf(value).length();
    }

    private static long number(Object[] args, int index, long absent) {
        if (args == null || args.length <= index || args[index] == null) return absent;
        try {
            return Math.abs(Long.parseLong(String.valueOf(args[index]).strip()));
        } catch (NumberFormatException e) {
            try {
                return (long) Math.abs(Double.parseDouble(String.valueOf(args[index]).strip()));
            } catch (NumberFormatException notANumber) {
                return absent; // the filter itself reports it
            }
        }
    }

    /** Re-registers filter {@code name} so that {@code size(input, args)} is checked before it runs. */
    private static void guard(Context context, String name, ToLongBiFunction<Object, Object[]> size) {
        Filter original = context.getFilter(name);
        if (original == null) {
            return;
        }
        context.registerFilter(new Filter() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
                requireLength(size.applyAsLong(var, args));
                return original.filter(var, interpreter, args);
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                requireLength(size.applyAsLong(var, args));
                return original.filter(var, interpreter, args, kwargs);
            }

            @Override
            public boolean preserveSafeString() {
                return original.preserveSafeString();
            }
        });
    }
}
