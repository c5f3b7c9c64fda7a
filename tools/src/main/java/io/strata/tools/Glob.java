package io.strata.tools;

/**
 * Redis' glob matching (stringmatchlen: {@code * ? [abc] [^a] [a-z] \x}), case-sensitive, on
 * bytes, for {@code rdb-inspect --keys}.
 *
 * <p>Any thread: immutable.
 */
final class Glob {
    private final byte[] pattern;

    Glob(String pattern) {
        this.pattern = pattern.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    boolean matches(byte[] s) {
        return match(pattern, 0, s, 0, 0);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si, int depth) {
        if (depth > 1000) {
            return false;
        }
        while (pi < p.length) {
            switch (p[pi]) {
                case '*':
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k <= s.length; k++) {
                        if (match(p, pi + 1, s, k, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    if (si >= s.length) {
                        return false;
                    }
                    si++;
                    break;
                case '[': {
                    if (si >= s.length) {
                        return false;
                    }
                    pi++;
                    boolean not = pi < p.length && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean hit = false;
                    while (pi < p.length && p[pi] != ']') {
                        if (p[pi] == '\\' && pi + 1 < p.length) {
                            pi++;
                            hit |= p[pi] == s[si];
                        } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                            int a = p[pi] & 0xff;
                            int b = p[pi + 2] & 0xff;
                            int c = s[si] & 0xff;
                            hit |= a <= b ? c >= a && c <= b : c >= b && c <= a;
                            pi += 2;
                        } else {
                            hit |= p[pi] == s[si];
                        }
                        pi++;
                    }
                    if (hit == not) {
                        return false;
                    }
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < p.length) {
                        pi++;
                    }
                    // fall through: literal
                default:
                    if (si >= s.length || p[pi] != s[si]) {
                        return false;
                    }
                    si++;
            }
            pi++;
        }
        return si == s.length;
    }
}
