-- pae.crear_usuario refuses a correo or a nombre over its documented limit
-- (pae.regla('correo_max'), pae.regla('nombre_max')) with 22023, before
-- anything echoes the value back; the limits themselves are accepted.
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off
BEGIN;
SELECT plan(6);

SELECT throws_ok(format($$SELECT pae.crear_usuario(%L, 'Persona Larga', 'visitador', 'clave-larga-1')$$,
                        repeat('a', 1048576) || '@pae.test'),
                 '22023', 'correo demasiado largo: 1048585 caracteres',
                 'a 1 MB correo is 22023');
SELECT throws_ok(format($$SELECT pae.crear_usuario(%L, 'Persona Larga', 'visitador', 'clave-larga-1')$$,
                        repeat('a', pae.regla('correo_max')::int - 8) || '@pae.test'),
                 '22023', 'correo demasiado largo: 255 caracteres',
                 'one character over correo_max is 22023');
SELECT lives_ok(format($$SELECT pae.crear_usuario(%L, 'Persona Justa', 'visitador', 'clave-larga-1')$$,
                       repeat('a', pae.regla('correo_max')::int - 9) || '@pae.test'),
                'a correo of exactly correo_max characters is accepted');
SELECT throws_ok(format($$SELECT pae.crear_usuario('largo@pae.test', %L, 'visitador', 'clave-larga-1')$$,
                        repeat('ñ', 1048576)),
                 '22023', 'nombre demasiado largo: 1048576 caracteres',
                 'a 1 MB nombre is 22023');
SELECT throws_ok(format($$SELECT pae.crear_usuario('largo@pae.test', %L, 'visitador', 'clave-larga-1')$$,
                        repeat('ñ', pae.regla('nombre_max')::int + 1)),
                 '22023', 'nombre demasiado largo: 201 caracteres',
                 'one character over nombre_max is 22023');
SELECT lives_ok(format($$SELECT pae.crear_usuario('justo@pae.test', %L, 'visitador', 'clave-larga-1')$$,
                       '  ' || repeat('ñ', pae.regla('nombre_max')::int) || '  '),
                'a nombre of exactly nombre_max characters (spaces around are trimmed) is accepted');

SELECT * FROM finish();
ROLLBACK;
