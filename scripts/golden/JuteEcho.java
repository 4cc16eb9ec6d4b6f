// Reads records that zkt encoded with Apache ZooKeeper 3.8's own jute classes
// and reports what ZooKeeper saw. Input on stdin, one record a line:
//   NAME HEX        (NAME a jute class, e.g. CreateRequest or TxnHeader)
// Output on stdout, one JSON object a line, in input order:
//   {"left":N,"hex":"...","fields":{...}}   N = bytes not consumed, hex = the
//                                           record serialized again by ZooKeeper
//   {"error":"..."}                         when ZooKeeper could not read it
// Field values: int/byte as JSON numbers, long as {"long":"decimal"}, buffer as
// {"bytes":"hex"}, ustring as a JSON string (non-ASCII as \\uXXXX escapes),
// vector as an array, nested record as an object, null as null.
// Used by tests/interop/jute_golden_test.ts.

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.jute.BinaryInputArchive;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;

public class JuteEcho {
    private static final String[] PACKAGES = {
        "org.apache.zookeeper.data.",
        "org.apache.zookeeper.proto.",
        "org.apache.zookeeper.txn.",
        "org.apache.zookeeper.server.quorum.",
        "org.apache.zookeeper.server.persistence.",
    };

    static Class<?> recordClass(String name) throws ClassNotFoundException {
        for (String p : PACKAGES) {
            try {
                Class<?> c = Class.forName(p + name);
                if (Record.class.isAssignableFrom(c)) {
                    return c;
                }
            } catch (ClassNotFoundException e) {
                // try the next package
            }
        }
        throw new ClassNotFoundException("no jute record class " + name);
    }

    static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return s.toString();
    }

    static void jsonString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    static void json(StringBuilder out, Object v) throws IllegalAccessException {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Integer || v instanceof Byte) {
            out.append(v);
        } else if (v instanceof Long) {
            out.append("{\"long\":\"").append(v).append("\"}");
        } else if (v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof String) {
            jsonString(out, (String) v);
        } else if (v instanceof byte[]) {
            out.append("{\"bytes\":\"").append(hex((byte[]) v)).append("\"}");
        } else if (v instanceof List) {
            out.append('[');
            boolean first = true;
            for (Object e : (List<?>) v) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                json(out, e);
            }
            out.append(']');
        } else if (v instanceof Record) {
            out.append('{');
            boolean first = true;
            // Generated classes declare their fields in zookeeper.jute's order.
            for (Field f : v.getClass().getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                if (!first) {
                    out.append(',');
                }
                first = false;
                jsonString(out, f.getName());
                out.append(':');
                json(out, f.get(v));
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("unexpected field type " + v.getClass());
        }
    }

    static String echo(String name, String hexBytes) throws Exception {
        Record r = (Record) recordClass(name).getDeclaredConstructor().newInstance();
        ByteArrayInputStream in = new ByteArrayInputStream(unhex(hexBytes));
        r.deserialize(BinaryInputArchive.getArchive(in), "r");
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        r.serialize(BinaryOutputArchive.getArchive(again), "r");
        StringBuilder out = new StringBuilder("{\"left\":").append(in.available());
        out.append(",\"hex\":\"").append(hex(again.toByteArray())).append("\",\"fields\":");
        json(out, r);
        return out.append('}').toString();
    }

    public static void main(String[] args) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (String line; (line = lines.readLine()) != null; ) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ", -1);
            try {
                out.append(echo(parts[0], parts.length > 1 ? parts[1] : ""));
            } catch (Exception e) {
                StringBuilder err = new StringBuilder("{\"error\":");
                jsonString(err, e.toString());
                out.append(err).append('}');
            }
            out.append('\n');
        }
        System.out.print(out);
        System.out.flush();
    }
}
