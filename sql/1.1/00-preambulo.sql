-- pae_cauca 1.0 -> 1.1
--
-- This file is one fragment of the upgrade script: the Makefile concatenates
-- sql/1.1/NN-*.sql, in order, into sql/pae_cauca--1.0--1.1.sql, and builds
-- the fresh 1.1 install script as the frozen 1.0 script followed by this
-- upgrade, so that CREATE EXTENSION pae_cauca (1.1) and CREATE EXTENSION
-- pae_cauca VERSION '1.0' + ALTER EXTENSION pae_cauca UPDATE give the same
-- catalog by construction (test/escenarios/actualizacion.sh proves it).
--
-- Same script security as 1.0: every function pins its search_path or has
-- a BEGIN ATOMIC body, and built-ins are qualified from pg_catalog.

\echo Use "ALTER EXTENSION pae_cauca UPDATE TO '1.1'" to load this file. \quit
