-- Types of the domain

CREATE TYPE pae.estado_visita AS ENUM
    ('programada', 'en_curso', 'cerrada', 'aprobada', 'devuelta', 'cancelada');
COMMENT ON TYPE pae.estado_visita IS
    'Estados de una visita: programada, en_curso, cerrada, aprobada, devuelta, cancelada';
