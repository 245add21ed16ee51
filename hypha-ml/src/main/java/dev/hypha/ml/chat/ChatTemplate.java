package dev.hypha.ml.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.hypha.ml.gguf.GgufFile;
import dev.hypha.ml.tokenizer.TokenizerConfig;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a model's own chat template ({@code tokenizer.chat_template}, Jinja) with Jinjava, the way Hugging Face's
 * {@code apply_chat_template} does: {@code trim_blocks} and {@code lstrip_blocks} on; variables {@code messages}
 * (maps with {@code role} and {@code content}), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token};
 * functions {@code raise_exception(msg)} (becomes a {@link ChatTemplateException} with that message) and
 * {@code strftime_now(fmt)} (from an injected {@link Clock}); a Python-compatible {@code tojson}.
 *
 * <p>Templates call Python string methods; Jinjava evaluates method calls on Java strings, so before parsing the
 * common Python names inside tags are mapped to Java equivalents ({@code startswith}→{@code startsWith},
 * {@code endswith}→{@code endsWith}, {@code upper()}/{@code lower()}→{@code toUpperCase()}/{@code toLowerCase()},
 * {@code lstrip()}/{@code rstrip()}→{@code stripLeading()}/{@code stripTrailing()}, {@code title()} and
 * {@code capitalize()}→the filters of those names; {@code strip()} and {@code replace()} exist in Java as they are).
 *
 * <p>A model without a template gets ChatML ({@link BuiltinTemplates#chatMl()}); {@link #isFallback()} says so and a
 * warning is logged. Instances are immutable and thread-safe.
 */
public final class ChatTemplate {
    private static final System.Logger LOG = System.getLogger(ChatTemplate.class.getName());
    /** Most characters a render may output (a 128k-token context is under 1 M characters). */
    static final long MAX_OUTPUT = 16L << 20;
    /** Longest string a template may build by a method or filter ({@link TemplateSandbox}). */
    static final long MAX_STRING_LENGTH = 4L << 20;
    /** Most list or map entries a template may build. */
    static final int MAX_COLLECTION_SIZE = 100_000;
    /** Most nodes (tags, expressions, text) one render may evaluate; a long conversation needs a few thousand. */
    static final long MAX_NODES = 1_000_000;
    /** Longest a render may take by the template's clock; real templates take milliseconds. */
    static final java.time.Duration MAX_RENDER_TIME = java.time.Duration.ofSeconds(10);
    private static final ThreadLocal<RenderState> STATE = new ThreadLocal<>();

    private final String source;
    private final String prepared;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;
    private final boolean fallback;
    private final Jinjava jinjava;

    private record RenderState(Clock clock, String[] raised, TemplateSandbox.Budget budget) {}

    /** The budget of the render running on this thread, or null outside a render. */
    static TemplateSandbox.Budget currentBudget() {
        RenderState s = STATE.get();
        return s == null ? null : s.budget();
    }

    private ChatTemplate(String source, String bosToken, String eosToken, Clock clock, boolean fallback) {
        this.source = Objects.requireNonNull(source, "template");
        this.bosToken = Objects.requireNonNull(bosToken, "bosToken");
        this.eosToken = Objects.requireNonNull(eosToken, "eosToken");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fallback = fallback;
        this.prepared = pythonToJinjava(source);
        this.jinjava = newJinjava();
    }

    /**
     * The template of a model file with its BOS/EOS token texts. A model without {@code tokenizer.chat_template} gets
     * the ChatML fallback (logged as a warning).
     */
    public static ChatTemplate fromGguf(GgufFile gguf) {
        TokenizerConfig c = TokenizerConfig.fromGguf(gguf);
        String bos = tokenText(c, c.bos().orElse(-1));
        String eos = tokenText(c, c.eos().orElse(-1));
        if (c.chatTemplate().isPresent()) {
            return new ChatTemplate(c.chatTemplate().get(), bos, eos, Clock.systemUTC(), false);
        }
        LOG.log(System.Logger.Level.WARNING, "{0} has no tokenizer.chat_template; using ChatML",
                gguf.path() == null ? "model" : gguf.path().getFileName());
        return new ChatTemplate(BuiltinTemplates.chatMl(), bos, eos, Clock.systemUTC(), true);
    }

    /** A template from its source and the texts of the BOS/EOS tokens. */
    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        return new ChatTemplate(template, bosToken, eosToken, Clock.systemUTC(), false);
    }

    /** The same template with {@code strftime_now} reading {@code clock} (tests and reproducible renders). */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, bosToken, eosToken, clock, fallback);
    }

    /** True when the model had no template and ChatML is used. */
    public boolean isFallback() {
        return fallback;
    }

    /**
     * True when the template reads a {@code tools} variable, so tool definitions given to {@link #render(List, boolean,
     * Map)} reach the prompt (Ollama decides the same way: a template that never mentions tools cannot show them).
     */
    public boolean supportsTools() {
        return TOOLS_VARIABLE.matcher(source).find();
    }

    /** What marks a model's reasoning in its answer ({@code <think>} ... {@code </think>}). */
    public static final String THINK_OPEN = "<think>";
    public static final String THINK_CLOSE = "</think>";

    /**
     * True when the model reasons before it answers, between {@link #THINK_OPEN} and {@link #THINK_CLOSE} (Qwen3,
     * DeepSeek-R1 and their kin). Ollama's rule for templates from GGUF files: the template writes both tags, or it
     * strips earlier reasoning by splitting on the closing tag (and does not keep it as {@code reasoning_content}).
     * Such templates read {@code enable_thinking} to switch it on or off.
     */
    public boolean supportsThinking() {
        if (source.contains(THINK_OPEN) && source.contains(THINK_CLOSE)) {
            return true;
        }
        return (source.contains("content.split('</think>')") || source.contains("content.split(\"</think>\")"))
                && !source.contains("reasoning_content");
    }

    private static final Pattern TOOLS_VARIABLE = Pattern.compile("\\{[{%][^}]*\\btools\\b");

    /** The template source as the model stores it. */
    public String source() {
        return source;
    }

    /**
     * Renders {@code messages}; with {@code addGenerationPrompt} the text ends where the assistant's reply begins.
     *
     * @throws ChatTemplateException when the template raises (its message is passed on) or fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * Renders with extra template variables (e.g. {@code tools}, {@code date_string}, {@code enable_thinking}) given as
     * plain Java maps, lists, strings, numbers and booleans. The standard variables cannot be overridden.
     *
     * @throws ChatTemplateException when the template raises or fails to render
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        List<Map<String, Object>> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>(m.fields());
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        Map<String, Object> ctx = new HashMap<>(variables);
        ctx.put("messages", msgs);
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        String[] raised = new String[1];
        STATE.set(new RenderState(clock, raised, new TemplateSandbox.Budget(clock)));
        RenderResult result;
        try {
            result = jinjava.renderForResult(prepared, ctx);
        } catch (TemplateSandbox.Limit limit) {
            throw new ChatTemplateException(limit.getMessage());
        } finally {
            STATE.remove();
        }
        if (raised[0] != null) {
            throw new ChatTemplateException("chat template raised an exception: " + raised[0]);
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG) {
                throw new ChatTemplateException("chat template output is longer than the limit of " + MAX_OUTPUT
                        + " characters");
            }
            if (e.getReason() == TemplateError.ErrorReason.COLLECTION_TOO_BIG) {
                throw new ChatTemplateException("chat template builds a list or map larger than the limit of "
                        + MAX_COLLECTION_SIZE + " entries");
            }
            // Jinjava reports some failures (e.g. a macro calling itself) as warnings and renders nothing for them;
            // a prompt with silently missing parts is worse than an error, so exceptions fail the render too.
            if (e.getSeverity() == TemplateError.ErrorType.FATAL || e.getReason() == TemplateError.ErrorReason.EXCEPTION) {
                throw new ChatTemplateException("chat template failed to render"
                        + (e.getLineno() > 0 ? " at line " + e.getLineno() : "") + ": " + e.getMessage());
            }
        }
        return result.getOutput();
    }

    private static Jinjava newJinjava() {
        // Templates come from model files: every size, the work and the time are bounded (TemplateSandbox).
        Jinjava j = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withMaxOutputSize(MAX_OUTPUT)
                .withMaxStringLength(MAX_STRING_LENGTH)
                .withMaxListSize(MAX_COLLECTION_SIZE)
                .withMaxMapSize(MAX_COLLECTION_SIZE)
                .withNestedInterpretationEnabled(false)
                .withElResolver(TemplateSandbox.resolver(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY))
                .withNodePreProcessor(new TemplateSandbox.Steps())
                .withDisabled(Map.of(Context.Library.FILTER, Set.of("render")))
                .build());
        TemplateSandbox.guardFilters(j.getGlobalContext());
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
        j.getGlobalContext().registerFilter(new Filter() {
            @Override
            public String getName() {
                return "tojson";
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
                return PythonJson.dumps(var, 0);
            }

            @Override
            public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
                Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
                int n = indent == null ? 0 : Integer.parseInt(String.valueOf(indent));
                return PythonJson.dumps(var, n);
            }
        });
        return j;
    }

    /** {@code raise_exception(msg)}: records the message and aborts rendering. Public only for Jinjava's binding. */
    public static Object raiseException(Object message) {
        RenderState s = STATE.get();
        String text = String.valueOf(message);
        if (s != null && s.raised[0] == null) {
            s.raised[0] = text;
        }
        throw new IllegalStateException(text);
    }

    /** {@code strftime_now(fmt)}: the injected clock's time formatted with a Python strftime pattern. */
    public static String strftimeNow(String format) {
        RenderState s = STATE.get();
        ZonedDateTime now = ZonedDateTime.now(s == null ? Clock.systemUTC() : s.clock);
        return Strftime.format(format, now);
    }

    private static final Pattern TAG = Pattern.compile("\\{\\{.*?}}|\\{%.*?%}", Pattern.DOTALL);
    private static final String[][] PY_METHODS = {
        {".startswith(", ".startsWith("}, {".endswith(", ".endsWith("},
        {".upper()", ".toUpperCase()"}, {".lower()", ".toLowerCase()"},
        {".lstrip()", ".stripLeading()"}, {".rstrip()", ".stripTrailing()"},
        {".title()", "|title"}, {".capitalize()", "|capitalize"},
    };

    private static final Pattern LEFT_TRIM = Pattern.compile("\\s*(\\{[{%])-");
    private static final Pattern RIGHT_TRIM = Pattern.compile("-([}%]})\\s*");
    private static final Pattern NOT_IN = Pattern.compile("\\bnot\\s+('[^']*'|\"[^\"]*\")\\s+in\\b");

    /**
     * Prepares a template for Jinjava: applies Jinja's {@code {{-}/{@code -}}} and {@code {%-}/{@code -%}}
     * whitespace control itself (Jinjava ignores it on expression tags), rewrites {@code not 'x' in y} (Jinja:
     * {@code not ('x' in y)}) to {@code 'x' not in y}, and maps Python string-method calls inside tags (see the class
     * comment).
     */
    static String pythonToJinjava(String template) {
        template = LEFT_TRIM.matcher(template).replaceAll("$1");
        template = RIGHT_TRIM.matcher(template).replaceAll("$1");
        Matcher m = TAG.matcher(template);
        StringBuilder sb = new StringBuilder(template.length());
        while (m.find()) {
            String tag = m.group();
            for (String[] r : PY_METHODS) {
                tag = tag.replace(r[0], r[1]);
            }
            tag = NOT_IN.matcher(tag).replaceAll("$1 not in");
            m.appendReplacement(sb, Matcher.quoteReplacement(tag));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String tokenText(TokenizerConfig c, int id) {
        return id >= 0 && id < c.size() ? c.tokens().get(id) : "";
    }

    /** Python strftime subset used by chat templates ({@code %d %b %Y} and friends), English names. */
    static final class Strftime {
        private Strftime() {}

        static String format(String fmt, ZonedDateTime t) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < fmt.length(); i++) {
                char c = fmt.charAt(i);
                if (c != '%' || i + 1 >= fmt.length()) {
                    sb.append(c);
                    continue;
                }
                char f = fmt.charAt(++i);
                switch (f) {
                    case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                    case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                    case 'Y' -> sb.append(t.getYear());
                    case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                    case 'H' -> sb.append(String.format("%02d", t.getHour()));
                    case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                    case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                    case 'b' -> sb.append(t.getMonth().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH));
                    case 'B' -> sb.append(t.getMonth().getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH));
                    case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH));
                    case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL, Locale.ENGLISH));
                    case '%' -> sb.append('%');
                    default -> sb.append('%').append(f);
                }
            }
            return sb.toString();
        }
    }
}
