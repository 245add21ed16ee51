package dev.hypha.ml.llm;

/**
 * Constrains generation to one JSON object (Ollama's {@code "format": "json"}): a token is allowed only if its bytes
 * keep the text a prefix of a valid JSON object, and the end-of-generation token only once the object is closed.
 * After the closing brace nothing but the end is allowed, so the answer is exactly one object.
 *
 * <p>Runs of whitespace outside strings are capped at {@value #MAX_WHITESPACE} bytes (llama.cpp's JSON grammar caps
 * them too), else a model can pad for ever. Tokens whose text is empty (control tokens) are never allowed, for the
 * same reason. Strings are checked byte-wise: control bytes and bad escapes are refused; non-ASCII bytes pass.
 */
public final class JsonConstraint extends ByteLevelConstraint<JsonConstraint.Prefix> {
    /** Most whitespace bytes in a row outside strings. */
    public static final int MAX_WHITESPACE = 8;
    /** Deepest nesting allowed (the state keeps the container kinds as bits of a long). */
    public static final int MAX_DEPTH = 63;

    /** A model's tokens as bytes, and which end generation; built once per model, shared by its constraints. */
    public record Vocabulary(byte[][] bytes, boolean[] ends) {
        public static Vocabulary of(TokenDecoder decoder, int size) {
            byte[][] bytes = new byte[size][];
            boolean[] ends = new boolean[size];
            for (int t = 0; t < size; t++) {
                bytes[t] = decoder.bytes(t);
                ends[t] = decoder.isEndOfGeneration(t);
            }
            return new Vocabulary(bytes, ends);
        }
    }

    public JsonConstraint(Vocabulary vocabulary) {
        super(vocabulary, new Prefix(), new Prefix(), "the JSON text");
    }

    /** Whether {@code text} is a prefix of a JSON object under this constraint's rules (tests). */
    public static boolean isPrefix(byte[] text) {
        return feed(new Prefix(), text);
    }

    /** Whether {@code text} is exactly one complete JSON object under this constraint's rules (tests). */
    public static boolean isComplete(byte[] text) {
        Prefix p = new Prefix();
        return feed(p, text) && p.complete();
    }

    private enum Mode { START, VALUE, ARRAY_FIRST, OBJECT_FIRST, OBJECT_KEY, COLON, AFTER, STRING, NUMBER, LITERAL, DONE }

    private enum Num { MINUS, ZERO, INT, DOT, FRAC, E, E_SIGN, EXP }

    /** The parser state after some bytes: all primitives, so copying it per candidate token is cheap. */
    static final class Prefix implements ByteLevelConstraint.Automaton<Prefix> {
        Mode mode = Mode.START;
        long objects; // bit i set: container at depth i is an object (else an array)
        int depth;
        boolean key; // the string being read is an object key
        int escape; // 0 none, 1 after backslash, 2..5 hex digits still expected + 1
        Num num;
        int literal; // index into LITERALS of the literal being read, and how far: literal * 8 + position
        int whitespace;

        private static final String[] LITERALS = {"true", "false", "null"};

        @Override
        public void set(Prefix o) {
            mode = o.mode;
            objects = o.objects;
            depth = o.depth;
            key = o.key;
            escape = o.escape;
            num = o.num;
            literal = o.literal;
            whitespace = o.whitespace;
        }

        @Override
        public boolean complete() {
            return mode == Mode.DONE;
        }

        @Override
        public boolean push(int b) {
            switch (mode) {
                case STRING:
                    return string(b);
                case NUMBER:
                    if (number(b)) {
                        return true;
                    }
                    if (num != Num.ZERO && num != Num.INT && num != Num.FRAC && num != Num.EXP) {
                        return false;
                    }
                    mode = Mode.AFTER; // the number ended; this byte belongs to what follows it
                    return push(b);
                case LITERAL: {
                    String word = LITERALS[literal >> 3];
                    int at = literal & 7;
                    if (b != word.charAt(at)) {
                        return false;
                    }
                    literal++;
                    if (at + 1 == word.length()) {
                        mode = Mode.AFTER;
                    }
                    return true;
                }
                case DONE:
                    return false;
                default:
                    break;
            }
            if (b == ' ' || b == '\n' || b == '\t' || b == '\r') {
                return ++whitespace <= MAX_WHITESPACE;
            }
            whitespace = 0;
            return switch (mode) {
                case START -> b == '{' && open(true);
                case VALUE -> value(b);
                case ARRAY_FIRST -> b == ']' ? close(false) : value(b);
                case OBJECT_FIRST -> b == '}' ? close(true) : b == '"' && startString(true);
                case OBJECT_KEY -> b == '"' && startString(true);
                case COLON -> {
                    if (b != ':') {
                        yield false;
                    }
                    mode = Mode.VALUE;
                    yield true;
                }
                case AFTER -> after(b);
                default -> false;
            };
        }

        private boolean after(int b) {
            boolean inObject = (objects >>> (depth - 1) & 1) == 1;
            if (b == ',') {
                mode = inObject ? Mode.OBJECT_KEY : Mode.VALUE;
                return true;
            }
            if (b == '}' && inObject) {
                return close(true);
            }
            if (b == ']' && !inObject) {
                return close(false);
            }
            return false;
        }

        private boolean value(int b) {
            switch (b) {
                case '{':
                    return open(true);
                case '[':
                    return open(false);
                case '"':
                    return startString(false);
                case '-':
                    mode = Mode.NUMBER;
                    num = Num.MINUS;
                    return true;
                case '0':
                    mode = Mode.NUMBER;
                    num = Num.ZERO;
                    return true;
                case 't', 'f', 'n':
                    mode = Mode.LITERAL;
                    literal = (b == 't' ? 0 : b == 'f' ? 1 : 2) * 8 + 1;
                    return true;
                default:
                    if (b >= '1' && b <= '9') {
                        mode = Mode.NUMBER;
                        num = Num.INT;
                        return true;
                    }
                    return false;
            }
        }

        private boolean open(boolean object) {
            if (depth >= MAX_DEPTH) {
                return false;
            }
            objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
            depth++;
            mode = object ? Mode.OBJECT_FIRST : Mode.ARRAY_FIRST;
            return true;
        }

        private boolean close(boolean object) {
            boolean inObject = (objects >>> (depth - 1) & 1) == 1;
            if (inObject != object) {
                return false;
            }
            depth--;
            mode = depth == 0 ? Mode.DONE : Mode.AFTER;
            return true;
        }

        private boolean startString(boolean isKey) {
            mode = Mode.STRING;
            key = isKey;
            escape = 0;
            return true;
        }

        private boolean string(int b) {
            if (escape == 1) {
                if (b == 'u') {
                    escape = 5;
                    return true;
                }
                escape = 0;
                return b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't';
            }
            if (escape > 1) {
                boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
                escape = escape == 2 ? 0 : escape - 1;
                return hex;
            }
            if (b < 0x20) {
                return false;
            }
            if (b == '\\') {
                escape = 1;
                return true;
            }
            if (b == '"') {
                mode = key ? Mode.COLON : Mode.AFTER;
                return true;
            }
            return true;
        }

        private boolean number(int b) {
            boolean digit = b >= '0' && b <= '9';
            Num next = switch (num) {
                case MINUS -> b == '0' ? Num.ZERO : digit ? Num.INT : null;
                case ZERO -> b == '.' ? Num.DOT : b == 'e' || b == 'E' ? Num.E : null;
                case INT -> digit ? Num.INT : b == '.' ? Num.DOT : b == 'e' || b == 'E' ? Num.E : null;
                case DOT -> digit ? Num.FRAC : null;
                case FRAC -> digit ? Num.FRAC : b == 'e' || b == 'E' ? Num.E : null;
                case E -> b == '+' || b == '-' ? Num.E_SIGN : digit ? Num.EXP : null;
                case E_SIGN, EXP -> digit ? Num.EXP : null;
            };
            if (next == null) {
                return false;
            }
            num = next;
            return true;
        }
    }
}
