package io.varflow.model.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted pickle interpreter for the {@code data.pkl} record of a {@code torch.save} zip
 * checkpoint. It executes no code: the only callables it knows are the handful PyTorch uses to
 * rebuild a state dict ({@code OrderedDict}, {@code _rebuild_tensor_v2}, {@code
 * _rebuild_parameter}); anything else becomes an inert {@link Call} value. Supports the protocol 2
 * opcodes {@code torch.save} writes and the protocol 4/5 ones a re-saved file may contain.
 */
final class TorchPickle {

    /** A {@code module name} reference from GLOBAL / STACK_GLOBAL. */
    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** An unknown callable applied to arguments; kept only so that errors can describe it. */
    record Call(Global callable, Object args) {}

    /**
     * A persistent-id storage reference: {@code ('storage', torch.XStorage, key, location, numel)}.
     */
    record StorageRef(String typeName, TensorDType dtype, String key, long numel) {}

    /** The arguments of {@code _rebuild_tensor_v2}: a view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** Python tuples are immutable lists. */
    record Tuple(List<Object> items) {}

    private static final Object MARK = new Object();
    private static final Object NONE =
            new Object() {
                @Override
                public String toString() {
                    return "None";
                }
            };

    private final Path file;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    private TorchPickle(Path file, byte[] bytes) {
        this.file = file;
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Runs the pickle and returns its top-level object. */
    static Object load(Path file, byte[] bytes) throws CheckpointException {
        try {
            return new TorchPickle(file, bytes).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new CheckpointException(
                    file, "data.pkl ends in the middle of a pickle opcode: the file is corrupt", e);
        }
    }

    /** Python {@code None} as the interpreter represents it. */
    static boolean isNone(Object value) {
        return value == NONE;
    }

    private Object run() throws CheckpointException {
        while (true) {
            int position = in.position();
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME: frames need no special handling in a
                // whole-buffer reader
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> marks.add(stack.size()); // MARK
                case 'c' -> push(new Global(readLine(), readLine())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop();
                    String module = (String) pop();
                    push(new Global(module, name));
                }
                case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 't' -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(new Tuple(popN(1))); // TUPLE1
                case 0x86 -> push(new Tuple(popN(2))); // TUPLE2
                case 0x87 -> push(new Tuple(popN(3))); // TUPLE3
                case '}' -> push(new LinkedHashMap<Object, Object>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    putAll(dict, items);
                    push(dict);
                }
                case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(new ArrayList<>(popMark())); // LIST
                case 'a' -> { // APPEND
                    Object value = pop();
                    asList(peek(), position).add(value);
                }
                case 'e' -> { // APPENDS
                    List<Object> values = popMark();
                    asList(peek(), position).addAll(values);
                }
                case 's' -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    asDict(peek(), position).put(key, value);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putAll(asDict(peek(), position), items);
                }
                case 'R' -> { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args, position));
                }
                case 'b' -> { // BUILD: state of OrderedDict (_metadata) or of unknown objects is
                    // irrelevant here
                    pop();
                }
                case 'Q' -> push(persistentLoad(pop(), position)); // BINPERSID
                case 'q' -> memo.put(in.get() & 0xFF, peek()); // BINPUT
                case 'r' -> memo.put(in.getInt(), peek()); // LONG_BINPUT
                case 0x94 -> memo.put(memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xFF, position)); // BINGET
                case 'j' -> push(memoGet(in.getInt(), position)); // LONG_BINGET
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) (in.get() & 0xFF)); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xFFFF)); // BININT2
                case 0x8a -> push(readLong(in.get() & 0xFF)); // LONG1
                case 0x8b -> push(readLong(in.getInt())); // LONG4
                case 'X' -> push(readUtf8(in.getInt())); // BINUNICODE
                case 0x8c -> push(readUtf8(in.get() & 0xFF)); // SHORT_BINUNICODE
                case 0x8d -> push(readUtf8(Math.toIntExact(in.getLong()))); // BINUNICODE8
                case 'C' -> push(readBytes(in.get() & 0xFF)); // SHORT_BINBYTES
                case 'B' -> push(readBytes(in.getInt())); // BINBYTES
                case 'G' ->
                        push(in.order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT is big-endian
                case 'N' -> push(NONE); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case '0' -> pop(); // POP
                case '2' -> push(peek()); // DUP
                case '1' -> popMark(); // POP_MARK
                default ->
                        throw new CheckpointException(
                                file,
                                "unsupported pickle opcode "
                                        + opcodeName(op)
                                        + " at offset "
                                        + position
                                        + " of data.pkl");
            }
            in.order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private Object reduce(Object callable, Object args, int position) throws CheckpointException {
        if (!(callable instanceof Global global)) {
            throw new CheckpointException(
                    file, "pickle REDUCE at offset " + position + " applies a non-callable");
        }
        List<Object> a = args instanceof Tuple t ? t.items() : List.of();
        String name = global.toString();
        switch (name) {
            case "collections.OrderedDict":
                return new LinkedHashMap<Object, Object>();
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor":
                if (a.size() < 4 || !(a.get(0) instanceof StorageRef storage)) {
                    throw new CheckpointException(
                            file, name + " at offset " + position + " has unexpected arguments");
                }
                return new TensorRef(storage, (Long) a.get(1), longs(a.get(2)), longs(a.get(3)));
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return a.isEmpty() ? new Call(global, args) : a.get(0);
            default:
                return new Call(global, args);
        }
    }

    private Object persistentLoad(Object pid, int position) throws CheckpointException {
        if (!(pid instanceof Tuple t)
                || t.items().size() < 5
                || !"storage".equals(t.items().get(0))) {
            throw new CheckpointException(
                    file, "unsupported persistent id at offset " + position + " of data.pkl");
        }
        List<Object> items = t.items();
        String typeName =
                items.get(1) instanceof Global g ? g.name() : String.valueOf(items.get(1));
        TensorDType dtype = null;
        for (TensorDType candidate : TensorDType.values()) {
            if (candidate.torchStorageName().equals(typeName)) {
                dtype = candidate;
            }
        }
        return new StorageRef(
                items.get(1).toString(), dtype, String.valueOf(items.get(2)), (Long) items.get(4));
    }

    private static long[] longs(Object tuple) {
        List<Object> items = ((Tuple) tuple).items();
        long[] result = new long[items.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = (Long) items.get(i);
        }
        return result;
    }

    private Object memoGet(int index, int position) throws CheckpointException {
        if (!memo.containsKey(index)) {
            throw new CheckpointException(
                    file,
                    "pickle memo entry "
                            + index
                            + " read at offset "
                            + position
                            + " was never stored: data.pkl is corrupt");
        }
        return memo.get(index);
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object target, int position) throws CheckpointException {
        if (target instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw new CheckpointException(
                file, "pickle APPEND at offset " + position + " on a non-list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asDict(Object target, int position) throws CheckpointException {
        if (target instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw new CheckpointException(
                file, "pickle SETITEM at offset " + position + " on a non-dict");
    }

    private static void putAll(Map<Object, Object> dict, List<Object> items) {
        for (int i = 0; i + 1 < items.size(); i += 2) {
            dict.put(items.get(i), items.get(i + 1));
        }
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() throws CheckpointException {
        if (stack.isEmpty()) {
            throw new CheckpointException(
                    file, "pickle stack underflow at offset " + in.position() + " of data.pkl");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws CheckpointException {
        if (stack.isEmpty()) {
            throw new CheckpointException(
                    file, "pickle stack underflow at offset " + in.position() + " of data.pkl");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) throws CheckpointException {
        if (stack.size() < n) {
            throw new CheckpointException(
                    file, "pickle stack underflow at offset " + in.position() + " of data.pkl");
        }
        List<Object> top = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return top;
    }

    private List<Object> popMark() throws CheckpointException {
        if (marks.isEmpty()) {
            throw new CheckpointException(
                    file, "pickle MARK missing at offset " + in.position() + " of data.pkl");
        }
        int mark = marks.remove(marks.size() - 1);
        return popN(stack.size() - mark);
    }

    private String readLine() {
        StringBuilder sb = new StringBuilder();
        byte b;
        while ((b = in.get()) != '\n') {
            sb.append((char) (b & 0xFF));
        }
        return sb.toString();
    }

    private String readUtf8(int length) {
        return new String(readBytes(length), StandardCharsets.UTF_8);
    }

    private byte[] readBytes(int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    /** LONG1/LONG4: little-endian two's complement of {@code n} bytes. */
    private Object readLong(int n) {
        byte[] le = readBytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private static final Map<Integer, String> OPCODE_NAMES = new HashMap<>();

    static {
        String[][] names = {
            {"(", "MARK"},
            {".", "STOP"},
            {"0", "POP"},
            {"1", "POP_MARK"},
            {"2", "DUP"},
            {"F", "FLOAT"},
            {"I", "INT"},
            {"J", "BININT"},
            {"K", "BININT1"},
            {"L", "LONG"},
            {"M", "BININT2"},
            {"N", "NONE"},
            {"P", "PERSID"},
            {"Q", "BINPERSID"},
            {"R", "REDUCE"},
            {"S", "STRING"},
            {"T", "BINSTRING"},
            {"U", "SHORT_BINSTRING"},
            {"V", "UNICODE"},
            {"X", "BINUNICODE"},
            {"a", "APPEND"},
            {"b", "BUILD"},
            {"c", "GLOBAL"},
            {"d", "DICT"},
            {"}", "EMPTY_DICT"},
            {"e", "APPENDS"},
            {"g", "GET"},
            {"h", "BINGET"},
            {"i", "INST"},
            {"j", "LONG_BINGET"},
            {"l", "LIST"},
            {"]", "EMPTY_LIST"},
            {"o", "OBJ"},
            {"p", "PUT"},
            {"q", "BINPUT"},
            {"r", "LONG_BINPUT"},
            {"s", "SETITEM"},
            {"t", "TUPLE"},
            {")", "EMPTY_TUPLE"},
            {"u", "SETITEMS"},
            {"G", "BINFLOAT"},
            {"B", "BINBYTES"},
            {"C", "SHORT_BINBYTES"},
        };
        for (String[] pair : names) {
            OPCODE_NAMES.put((int) pair[0].charAt(0), pair[1]);
        }
        String[] high = {
            "PROTO",
            "NEWOBJ",
            "EXT1",
            "EXT2",
            "EXT4",
            "TUPLE1",
            "TUPLE2",
            "TUPLE3",
            "NEWTRUE",
            "NEWFALSE",
            "LONG1",
            "LONG4",
            "SHORT_BINUNICODE",
            "BINUNICODE8",
            "BINBYTES8",
            "EMPTY_SET",
            "ADDITEMS",
            "FROZENSET",
            "NEWOBJ_EX",
            "STACK_GLOBAL",
            "MEMOIZE",
            "FRAME",
            "BYTEARRAY8",
            "NEXT_BUFFER",
            "READONLY_BUFFER"
        };
        for (int i = 0; i < high.length; i++) {
            OPCODE_NAMES.put(0x80 + i, high[i]);
        }
    }

    static String opcodeName(int op) {
        String name = OPCODE_NAMES.get(op);
        return (name == null ? "<unknown>" : name) + String.format(" (0x%02x)", op);
    }

    static String describe(Object value) {
        if (value instanceof Call call) {
            return "a call of " + call.callable();
        }
        if (value instanceof Tuple t) {
            return "a tuple of " + t.items().size();
        }
        if (value instanceof long[] array) {
            return Arrays.toString(array);
        }
        return value == null ? "null" : value.getClass().getSimpleName() + " " + value;
    }
}
