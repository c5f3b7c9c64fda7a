package io.strata.engine.util;

/**
 * Glob-style matching with Redis' {@code stringmatchlen} rules: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a]}, {@code [a-z]} and backslash escapes.
 *
 * <p>Any thread: stateless.
 */
public final class Glob {
    private Glob() {
    }

    public static boolean match(byte[] p, byte[] s, boolean nocase) {
        return match(p, 0, p.length, s, 0, s.length, nocase, 0);
    }

    public static boolean match(String pattern, String s, boolean nocase) {
        return match(Bytes.utf8(pattern), Bytes.utf8(s), nocase);
    }

    private static boolean match(byte[] p, int pi, int pend, byte[] s, int si, int send, boolean nocase, int depth) {
        if (depth > 1000) {
            return false; // pathological pattern: refuse rather than overflow the stack
        }
        while (pi < pend && si < send) {
            switch (p[pi]) {
                case '*':
                    while (pi + 1 < pend && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == pend) {
                        return true;
                    }
                    for (int k = si; k < send; k++) {
                        if (match(p, pi + 1, pend, s, k, send, nocase, depth + 1)) {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    si++;
                    break;
                case '[': {
                    pi++;
                    boolean not = pi < pend && p[pi] == '^';
                    if (not) {
                        pi++;
                    }
                    boolean hit = false;
                    while (true) {
                        if (pi >= pend) {
                            pi--;
                            break;
                        }
                        if (p[pi] == '\\' && pi + 1 < pend) {
                            pi++;
                            if (p[pi] == s[si]) {
                                hit = true;
                            }
                        } else if (p[pi] == ']') {
                            break;
                        } else if (pi + 2 < pend && p[pi + 1] == '-') {
                            int start = p[pi] & 0xff;
                            int end = p[pi + 2] & 0xff;
                            int c = s[si] & 0xff;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = Character.toLowerCase(start);
                                end = Character.toLowerCase(end);
                                c = Character.toLowerCase(c);
                            }
                            pi += 2;
                            if (c >= start && c <= end) {
                                hit = true;
                            }
                        } else if (eq(p[pi], s[si], nocase)) {
                            hit = true;
                        }
                        pi++;
                    }
                    if (not) {
                        hit = !hit;
                    }
                    if (!hit) {
                        return false;
                    }
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < pend) {
                        pi++;
                    }
                    // fall through
                default:
                    if (!eq(p[pi], s[si], nocase)) {
                        return false;
                    }
                    si++;
                    break;
            }
            pi++;
            if (si == send) {
                while (pi < pend && p[pi] == '*') {
                    pi++;
                }
                break;
            }
        }
        if (si == send) {
            while (pi < pend && p[pi] == '*') {
                pi++;
            }
        }
        return pi == pend && si == send;
    }

    private static boolean eq(byte a, byte b, boolean nocase) {
        return nocase ? Character.toLowerCase(a & 0xff) == Character.toLowerCase(b & 0xff) : a == b;
    }
}
