-- The inspection checklist of a PAE visit (acta de visita), after MEN
-- Resolución 29452 de 2017 and UApA Resolución 335 de 2021 (anexos Técnico
-- Administrativo y Financiero, y Calidad e Inocuidad).  Each item is
-- answered cumple / no_cumple / no_aplica.  Mandatory items must be answered
-- before a visit can be closed; the weight feeds the compliance score.

INSERT INTO pae.checklist_items (codigo, categoria, texto, obligatorio, peso, orden) VALUES
    ('RAC-01', 'raciones', 'Las raciones entregadas corresponden a las adjudicadas para la modalidad (RPS, RI o CCT) y el tipo de complemento', true, 3, 10),
    ('RAC-02', 'raciones', 'Las devoluciones y novedades de raciones están registradas y justificadas en el formato de entrega', true, 2, 11),
    ('RAC-03', 'raciones', 'El registro diario de titulares de derecho atendidos está diligenciado y firmado por el rector o su delegado', true, 2, 12),
    ('RAC-04', 'raciones', 'El horario de entrega de cada complemento (jornada mañana, jornada tarde, almuerzo) se cumple', false, 1, 13),
    ('MEN-01', 'menu', 'El menú servido corresponde al ciclo de menús aprobado para el día', true, 3, 20),
    ('MEN-02', 'menu', 'La minuta está publicada en un lugar visible para los estudiantes', false, 1, 21),
    ('MEN-03', 'menu', 'Los componentes y gramajes servidos cumplen la minuta patrón por grupo de edad', true, 3, 22),
    ('MEN-04', 'menu', 'Si se sirvió menú de contingencia, está autorizado y su motivo documentado', false, 1, 23),
    ('MAN-01', 'manipuladoras', 'El número de manipuladoras corresponde a lo exigido por la norma para las raciones servidas', true, 2, 30),
    ('MAN-02', 'manipuladoras', 'Cada manipuladora tiene certificado vigente de manipulación de alimentos', true, 3, 31),
    ('MAN-03', 'manipuladoras', 'Cada manipuladora tiene certificado médico vigente de aptitud para manipular alimentos', true, 2, 32),
    ('MAN-04', 'manipuladoras', 'Las manipuladoras portan la dotación completa (gorro, tapabocas, delantal, calzado cerrado) y no usan joyas', true, 2, 33),
    ('INF-01', 'infraestructura', 'Existen áreas separadas de recibo, almacenamiento, preparación, comedor, lavado y residuos', true, 2, 40),
    ('INF-02', 'infraestructura', 'Pisos, paredes y techos están en buen estado, limpios y son de material sanitario', false, 1, 41),
    ('INF-03', 'infraestructura', 'Las ventanas y aberturas tienen malla antiinsectos', false, 1, 42),
    ('INF-04', 'infraestructura', 'Hay suministro de agua potable suficiente durante la preparación y el servicio', true, 3, 43),
    ('INF-05', 'infraestructura', 'Hay energía eléctrica, alcantarillado o pozo séptico y gas o combustible seguro', false, 1, 44),
    ('INF-06', 'infraestructura', 'El comedor tiene mesas y sillas suficientes y en buen estado para los estudiantes atendidos', false, 1, 45),
    ('HIG-01', 'higiene', 'El plan de saneamiento básico (limpieza y desinfección, residuos, plagas, agua) está documentado y se aplica', true, 3, 50),
    ('HIG-02', 'higiene', 'Los baños y lavamanos están limpios y dotados de jabón y toallas', true, 2, 51),
    ('HIG-03', 'higiene', 'Hay barreras físicas y registros de control de plagas vigentes', false, 1, 52),
    ('HIG-04', 'higiene', 'El concepto sanitario de la autoridad de salud es favorable o favorable con requerimientos', true, 3, 53),
    ('HIG-05', 'higiene', 'Los residuos sólidos se separan y disponen en recipientes con tapa', false, 1, 54),
    ('ALM-01', 'almacenamiento', 'Cada alimento está rotulado con lote, fecha de vencimiento y registro sanitario INVIMA', true, 3, 60),
    ('ALM-02', 'almacenamiento', 'No hay alimentos vencidos, deteriorados o sin rotular', true, 3, 61),
    ('ALM-03', 'almacenamiento', 'Los alimentos perecederos se mantienen en cadena de frío con registro de temperaturas', true, 3, 62),
    ('ALM-04', 'almacenamiento', 'Los alimentos se almacenan sobre estibas, separados de paredes y de productos químicos', false, 1, 63),
    ('CAL-01', 'calidad', 'Se toman y conservan muestras y contramuestras de los alimentos servidos', true, 2, 70),
    ('CAL-02', 'calidad', 'No hay alertas ni casos de enfermedad transmitida por alimentos sin reportar', true, 3, 71),
    ('CAL-03', 'calidad', 'Las características organolépticas (olor, color, textura, temperatura) de lo servido son adecuadas', false, 1, 72),
    ('VIS-01', 'visibilidad', 'Hay señalización visible del Programa de Alimentación Escolar en la sede', false, 1, 80),
    ('VIS-02', 'visibilidad', 'El horario de atención del comedor está publicado', false, 1, 81),
    ('VIS-03', 'visibilidad', 'El Comité de Alimentación Escolar (CAE) está conformado y activo, con actas recientes', false, 1, 82);
