-- Judge0 CE 1.13 language ids; multipliers give slower runtimes more time.
INSERT INTO languages (judge0_id, name, time_multiplier, enabled) VALUES
    (50, 'C (GCC 9.2.0)', 1.0, true),
    (54, 'C++ (GCC 9.2.0)', 1.0, true),
    (62, 'Java (OpenJDK 13.0.1)', 2.0, true),
    (63, 'JavaScript (Node.js 12.14.0)', 2.0, true),
    (71, 'Python (3.8.1)', 3.0, true),
    (43, 'Plain Text', 1.0, false)
ON CONFLICT (judge0_id) DO NOTHING;
