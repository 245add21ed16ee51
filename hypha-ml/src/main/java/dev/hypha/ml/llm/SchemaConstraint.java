package dev.hypha.ml.llm;

import java.util.Arrays;
import java.util.List;

/**
 * Constrains generation to one JSON value that follows a {@link JsonSchema} (Ollama's {@code format} given as a schema,
 * OpenAI's {@code response_format: json_schema}): a token is allowed only if its bytes keep the text a prefix of such
 * a value, and the end-of-generation token only once the value is complete. Same rules as {@link JsonConstraint}
 * otherwise: whitespace outside strings capped at {@link JsonConstraint#MAX_WHITESPACE} bytes in a row, tokens with no
 * text never allowed, nothing after the value but the end.
 *
 * <p>The state is a stack of immutable frames, one per value being written (object, array, string, number, literal)
 * plus the value expected next; checking a candidate token copies the stack's references (its depth is bounded by the
 * schema's) and replaces only the frames the token's bytes touch.
 */
public final class SchemaConstraint extends ByteLevelConstraint<SchemaConstraint.State> {
    public SchemaConstraint(JsonConstraint.Vocabulary vocabulary, JsonSchema schema) {
        this(vocabulary, schema, new byte[0]);
    }

    /**
     * Holds generation to {@code prefix} (exact bytes, e.g. a template's {@code <tool_call>} tag) followed by a value
     * that follows {@code schema}: how a required tool call is forced.
     */
    public SchemaConstraint(JsonConstraint.Vocabulary vocabulary, JsonSchema schema, byte[] prefix) {
        super(vocabulary, State.start(schema, prefix), new State(), "the JSON text the schema asks for");
    }

    /** Whether {@code text} is a prefix of a value that follows {@code schema} (tests). */
    public static boolean isPrefix(JsonSchema schema, byte[] text) {
        return feed(State.start(schema, new byte[0]), text);
    }

    /** Whether {@code text} is exactly one complete value that follows {@code schema} (tests). */
    public static boolean isComplete(JsonSchema schema, byte[] text) {
        State s = State.start(schema, new byte[0]);
        return feed(s, text) && s.complete();
    }

    // ---- frames: what is being written at each level ----

    private sealed interface Frame {}

    /** A value of {@code schema} comes next (whitespace may come first). */
    private record Expect(JsonSchema schema) implements Frame {}

    /**
     * Inside a string of {@code min..max} characters, {@code count} begun so far (a character counts at its first
     * byte, an escape at its backslash); {@code escape}: 0 none, 1 after a backslash, 2..5 hex digits still expected + 1.
     */
    private record Str(int escape, int count, int min, int max) implements Frame {}

    /**
     * Writing the head of a tagged union's option ({@code {"tool":"search"}); {@code alive} has a bit per head still
     * matching the {@code pos} bytes read. Once one head is complete, only its option's other properties may follow.
     */
    private record Head(JsonSchema.TaggedUnion union, long alive, int pos) implements Frame {}

    /** Inside a number. */
    private record Num(NumState at, boolean integer) implements Frame {}

    /** Matching one of fixed texts; {@code alive} has a bit per text still matching the {@code pos} bytes read. */
    private record Lit(List<byte[]> texts, long alive, int pos) implements Frame {}

    private enum ObjPhase { FIRST, KEY, IN_KEY, COLON, AFTER }

    /**
     * Inside an object: {@code next} is the first property that may still come; while a key is read, {@code alive}
     * has a bit per candidate property and {@code pos} bytes of it are matched; {@code chosen} is the key just read.
     */
    private record Obj(JsonSchema.ObjectSchema schema, int next, ObjPhase phase, long alive, int pos, int chosen)
            implements Frame {}

    private enum ArrPhase { FIRST, VALUE, AFTER }

    /** Inside an array holding {@code count} values so far. */
    private record Arr(JsonSchema.ArraySchema schema, int count, ArrPhase phase) implements Frame {}

    private enum NumState { MINUS, ZERO, INT, DOT, FRAC, E, E_SIGN, EXP }

    /** The stack of frames and the whitespace run; an empty stack means the value is complete. */
    static final class State implements ByteLevelConstraint.Automaton<State> {
        Frame[] stack = new Frame[8];
        int size;
        int whitespace;

        /** The state before a value following {@code schema}, preceded by the exact bytes {@code prefix} if any. */
        static State start(JsonSchema schema, byte[] prefix) {
            State s = new State();
            s.stack[0] = new Expect(schema);
            s.size = 1;
            if (prefix.length > 0) {
                s.pushFrame(new Lit(List.of(prefix.clone()), 1L, 0));
            }
            return s;
        }

        @Override
        public void set(State o) {
            if (stack.length < o.stack.length) {
                stack = new Frame[o.stack.length];
            }
            System.arraycopy(o.stack, 0, stack, 0, o.size);
            size = o.size;
            whitespace = o.whitespace;
        }

        /** Done, or only a scalar at the top level that may end here (a number, a literal fully matched). */
        @Override
        public boolean complete() {
            return size == 0 || (size == 1 && canEnd(stack[0]));
        }

        private static boolean canEnd(Frame f) {
            return switch (f) {
                case Num n -> n.at() == NumState.ZERO || n.at() == NumState.INT || n.at() == NumState.FRAC
                        || n.at() == NumState.EXP;
                case Lit l -> matched(l) >= 0;
                default -> false;
            };
        }

        private static int matched(Lit l) {
            for (int i = 0; i < l.texts().size(); i++) {
                if ((l.alive() >>> i & 1) == 1 && l.texts().get(i).length == l.pos()) {
                    return i;
                }
            }
            return -1;
        }

        private void replace(Frame f) {
            stack[size - 1] = f;
        }

        private void pushFrame(Frame f) {
            if (size == stack.length) {
                stack = Arrays.copyOf(stack, size * 2);
            }
            stack[size++] = f;
        }

        /** The value on top ended; the byte {@code b} (if any, else -1) belongs to what holds it. */
        private boolean pop(int b) {
            size--;
            return b < 0 || push(b);
        }

        @Override
        public boolean push(int b) {
            if (size == 0) {
                return false;
            }
            Frame top = stack[size - 1];
            switch (top) {
                case Str s -> {
                    return string(s, b);
                }
                case Num n -> {
                    NumState next = number(n.at(), n.integer(), b);
                    if (next != null) {
                        replace(new Num(next, n.integer()));
                        return true;
                    }
                    return canEnd(n) && pop(b);
                }
                case Head h -> {
                    return head(h, b);
                }
                case Lit l -> {
                    long alive = 0;
                    for (int i = 0; i < l.texts().size(); i++) {
                        byte[] t = l.texts().get(i);
                        if ((l.alive() >>> i & 1) == 1 && t.length > l.pos() && (t[l.pos()] & 0xff) == b) {
                            alive |= 1L << i;
                        }
                    }
                    if (alive != 0) {
                        replace(new Lit(l.texts(), alive, l.pos() + 1));
                        return true;
                    }
                    return matched(l) >= 0 && pop(b);
                }
                default -> {
                    // structural positions: whitespace may come between tokens
                }
            }
            if (b == ' ' || b == '\n' || b == '\t' || b == '\r') {
                if (top instanceof Obj o && o.phase() == ObjPhase.IN_KEY) {
                    return key(o, b);
                }
                return ++whitespace <= JsonConstraint.MAX_WHITESPACE;
            }
            whitespace = 0;
            return switch (top) {
                case Expect e -> start(e.schema(), b);
                case Obj o -> object(o, b);
                case Arr a -> array(a, b);
                default -> false;
            };
        }

        /** The first byte of a value of {@code schema}; replaces the Expect on top. */
        private boolean start(JsonSchema schema, int b) {
            switch (schema) {
                case JsonSchema.ObjectSchema o -> {
                    if (b != '{') {
                        return false;
                    }
                    replace(new Obj(o, 0, ObjPhase.FIRST, 0, 0, -1));
                    return true;
                }
                case JsonSchema.ArraySchema a -> {
                    if (b != '[') {
                        return false;
                    }
                    replace(new Arr(a, 0, ArrPhase.FIRST));
                    return true;
                }
                case JsonSchema.StringSchema s -> {
                    if (b != '"') {
                        return false;
                    }
                    replace(new Str(0, 0, s.minLength(), s.maxLength()));
                    return true;
                }
                case JsonSchema.TaggedUnion u -> {
                    int n = u.heads().size();
                    replace(new Head(u, n == 64 ? -1L : (1L << n) - 1, 0));
                    return head((Head) stack[size - 1], b);
                }
                case JsonSchema.NumberSchema n -> {
                    NumState first = b == '-' ? NumState.MINUS : b == '0' ? NumState.ZERO
                            : b >= '1' && b <= '9' ? NumState.INT : null;
                    if (first == null) {
                        return false;
                    }
                    replace(new Num(first, n.integer()));
                    return true;
                }
                case JsonSchema.Literals l -> {
                    long all = l.texts().size() == 64 ? -1L : (1L << l.texts().size()) - 1;
                    replace(new Lit(l.texts(), all, 0));
                    return push(b);
                }
                case JsonSchema.Union u -> {
                    for (JsonSchema option : u.options()) {
                        if (start(option, b)) {
                            return true;
                        }
                    }
                    return false;
                }
            }
        }

        private boolean object(Obj o, int b) {
            List<JsonSchema.Property> props = o.schema().properties();
            switch (o.phase()) {
                case FIRST, KEY -> {
                    if (b == '}' && o.phase() == ObjPhase.FIRST && !requiredFrom(props, o.next())) {
                        return pop(-1);
                    }
                    if (b != '"') {
                        return false;
                    }
                    long alive = 0;
                    for (int i = o.next(); i < props.size(); i++) {
                        alive |= 1L << i;
                        if (props.get(i).required()) {
                            break; // a required property cannot be skipped
                        }
                    }
                    if (alive == 0) {
                        return false;
                    }
                    replace(new Obj(o.schema(), o.next(), ObjPhase.IN_KEY, alive, 1, -1));
                    return true;
                }
                case IN_KEY -> {
                    return key(o, b);
                }
                case COLON -> {
                    if (b != ':') {
                        return false;
                    }
                    replace(new Obj(o.schema(), o.chosen() + 1, ObjPhase.AFTER, 0, 0, -1));
                    pushFrame(new Expect(props.get(o.chosen()).schema()));
                    return true;
                }
                case AFTER -> {
                    if (b == ',' && o.next() < props.size()) {
                        replace(new Obj(o.schema(), o.next(), ObjPhase.KEY, 0, 0, -1));
                        return true;
                    }
                    return b == '}' && !requiredFrom(props, o.next()) && pop(-1);
                }
            }
            return false;
        }

        /** One more byte of a key (its JSON text, quotes included; the opening quote is already matched). */
        private boolean key(Obj o, int b) {
            List<JsonSchema.Property> props = o.schema().properties();
            long alive = 0;
            int chosen = -1;
            for (int i = o.next(); i < props.size(); i++) {
                byte[] k = props.get(i).key();
                if ((o.alive() >>> i & 1) == 1 && k.length > o.pos() && (k[o.pos()] & 0xff) == b) {
                    alive |= 1L << i;
                    if (k.length == o.pos() + 1) {
                        chosen = i; // the closing quote: keys are distinct, so only one ends here
                    }
                }
            }
            if (alive == 0) {
                return false;
            }
            replace(chosen >= 0 ? new Obj(o.schema(), o.next(), ObjPhase.COLON, 0, 0, chosen)
                    : new Obj(o.schema(), o.next(), ObjPhase.IN_KEY, alive, o.pos() + 1, -1));
            return true;
        }

        private static boolean requiredFrom(List<JsonSchema.Property> props, int from) {
            for (int i = from; i < props.size(); i++) {
                if (props.get(i).required()) {
                    return true;
                }
            }
            return false;
        }

        private boolean array(Arr a, int b) {
            JsonSchema.ArraySchema s = a.schema();
            if (a.phase() == ArrPhase.AFTER) {
                if (b == ',' && a.count() < s.maxItems()) {
                    replace(new Arr(s, a.count(), ArrPhase.VALUE));
                    return true;
                }
                return b == ']' && a.count() >= s.minItems() && pop(-1);
            }
            if (b == ']' && a.phase() == ArrPhase.FIRST) {
                return s.minItems() == 0 && pop(-1);
            }
            if (a.count() >= s.maxItems()) {
                return false;
            }
            replace(new Arr(s, a.count() + 1, ArrPhase.AFTER));
            pushFrame(new Expect(s.items()));
            if (push(b)) {
                return true;
            }
            return false; // the caller discards this state
        }

        /** One more byte of a tagged union's head; the last one commits to that option. */
        private boolean head(Head h, int b) {
            List<byte[]> heads = h.union().heads();
            long alive = 0;
            int done = -1;
            for (int i = 0; i < heads.size(); i++) {
                byte[] t = heads.get(i);
                if ((h.alive() >>> i & 1) == 1 && t.length > h.pos() && (t[h.pos()] & 0xff) == b) {
                    alive |= 1L << i;
                    if (t.length == h.pos() + 1) {
                        done = i; // heads end with their tag's closing quote, so no other head goes on from here
                    }
                }
            }
            if (alive == 0) {
                return false;
            }
            replace(done >= 0 ? new Obj(h.union().options().get(done), 1, ObjPhase.AFTER, 0, 0, -1)
                    : new Head(h.union(), alive, h.pos() + 1));
            return true;
        }

        private boolean string(Str s, int b) {
            int escape = s.escape();
            if (escape == 1) {
                if (b == 'u') {
                    replace(new Str(5, s.count(), s.min(), s.max()));
                    return true;
                }
                replace(new Str(0, s.count(), s.min(), s.max()));
                return b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't';
            }
            if (escape > 1) {
                boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
                replace(new Str(escape == 2 ? 0 : escape - 1, s.count(), s.min(), s.max()));
                return hex;
            }
            if (b < 0x20) {
                return false;
            }
            if (b == '"') {
                return s.count() >= s.min() && pop(-1);
            }
            if (s.min() == 0 && s.max() == Integer.MAX_VALUE) {
                if (b == '\\') {
                    replace(new Str(1, 0, 0, Integer.MAX_VALUE));
                }
                return true; // nothing to count: no new frame per byte
            }
            boolean continuation = (b & 0xC0) == 0x80; // inside a multi-byte UTF-8 character: already counted
            if (!continuation && s.count() >= s.max()) {
                return false;
            }
            int count = continuation ? s.count() : s.count() + 1;
            replace(new Str(b == '\\' ? 1 : 0, count, s.min(), s.max()));
            return true;
        }

        private static NumState number(NumState at, boolean integer, int b) {
            boolean digit = b >= '0' && b <= '9';
            boolean dot = b == '.' && !integer;
            boolean e = (b == 'e' || b == 'E') && !integer;
            return switch (at) {
                case MINUS -> b == '0' ? NumState.ZERO : digit ? NumState.INT : null;
                case ZERO -> dot ? NumState.DOT : e ? NumState.E : null;
                case INT -> digit ? NumState.INT : dot ? NumState.DOT : e ? NumState.E : null;
                case DOT -> digit ? NumState.FRAC : null;
                case FRAC -> digit ? NumState.FRAC : e ? NumState.E : null;
                case E -> b == '+' || b == '-' ? NumState.E_SIGN : digit ? NumState.EXP : null;
                case E_SIGN, EXP -> digit ? NumState.EXP : null;
            };
        }
    }
}
