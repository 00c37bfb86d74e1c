<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>LoginView</name>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Sign in to HMS</source>
        <translation>Iniciar sesión en HMS</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>&amp;Servidor:</translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation>URL del servidor</translation>
    </message>
    <message>
        <source>https://hms.example.org:8443</source>
        <translation>https://hms.example.org:8443</translation>
    </message>
    <message>
        <source>Server URL error</source>
        <translation>Error en la URL del servidor</translation>
    </message>
    <message>
        <source>&amp;Hospital:</source>
        <translation>&amp;Hospital:</translation>
    </message>
    <message>
        <source>Hospital code</source>
        <translation>Código del hospital</translation>
    </message>
    <message>
        <source>Hospital code error</source>
        <translation>Error en el código del hospital</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Usuario:</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>User name error</source>
        <translation>Error en el nombre de usuario</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Password error</source>
        <translation>Error en la contraseña</translation>
    </message>
    <message>
        <source>&amp;Remember me on this computer</source>
        <translation>&amp;Recordarme en este equipo</translation>
    </message>
    <message>
        <source>Remember me</source>
        <translation>Recordarme</translation>
    </message>
    <message>
        <source>Keeps the sign-in in the system keychain, never in a file</source>
        <translation>Guarda la sesión en el llavero del sistema, nunca en un archivo</translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation>Error de inicio de sesión</translation>
    </message>
    <message>
        <source>Sign-in notice</source>
        <translation>Aviso de inicio de sesión</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>Sign &amp;in</source>
        <translation>&amp;Entrar</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Ward</source>
        <translation>Planta</translation>
    </message>
    <message>
        <source>&amp;Ward:</source>
        <translation>&amp;Planta:</translation>
    </message>
    <message>
        <source>This server has no inpatient (IPD) module yet.</source>
        <translation>Este servidor aún no tiene el módulo de hospitalización.</translation>
    </message>
    <message>
        <source>No ward is set up yet.</source>
        <translation>Todavía no hay ninguna planta configurada.</translation>
    </message>
    <message>
        <source>Your role may not do this.</source>
        <translation>Su rol no le permite hacer esto.</translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation>No encontrado.</translation>
    </message>
    <message>
        <source>The server refused the request (%1).</source>
        <translation>El servidor rechazó la solicitud (%1).</translation>
    </message>
</context>
<context>
    <name>RegisterScreen</name>
    <message>
        <source>Register</source>
        <translation>Registrar</translation>
    </message>
    <message>
        <source>Register a patient</source>
        <translation>Registrar un paciente</translation>
    </message>
    <message>
        <source>Full &amp;name</source>
        <translation>&amp;Nombre completo</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nombre completo</translation>
    </message>
    <message>
        <source>&amp;Date of birth</source>
        <translation>&amp;Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>AAAA-MM-DD</translation>
    </message>
    <message>
        <source>Date unknown: &amp;estimated age in years</source>
        <translation>Fecha desconocida: &amp;edad estimada en años</translation>
    </message>
    <message>
        <source>Estimated age</source>
        <translation>Edad estimada</translation>
    </message>
    <message>
        <source>&amp;Sex</source>
        <translation>&amp;Sexo</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation>&amp;Teléfono</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>+49 30 1234567</source>
        <translation>+34 912 345 678</translation>
    </message>
    <message>
        <source>National &amp;id (optional)</source>
        <translation>&amp;Documento de identidad (opcional)</translation>
    </message>
    <message>
        <source>National id (optional)</source>
        <translation>Documento de identidad (opcional)</translation>
    </message>
    <message>
        <source>&amp;Address (optional)</source>
        <translation>Di&amp;rección (opcional)</translation>
    </message>
    <message>
        <source>Address (optional)</source>
        <translation>Dirección (opcional)</translation>
    </message>
    <message>
        <source>&amp;City (optional)</source>
        <translation>&amp;Ciudad (opcional)</translation>
    </message>
    <message>
        <source>City (optional)</source>
        <translation>Ciudad (opcional)</translation>
    </message>
    <message>
        <source>Emergency contact (optional)</source>
        <translation>Contacto de emergencia (opcional)</translation>
    </message>
    <message>
        <source>Relation</source>
        <translation>Parentesco</translation>
    </message>
    <message>
        <source>Contact phone</source>
        <translation>Teléfono de contacto</translation>
    </message>
    <message>
        <source>A&amp;llergies (optional)</source>
        <translation>A&amp;lergias (opcional)</translation>
    </message>
    <message>
        <source>Allergies (optional)</source>
        <translation>Alergias (opcional)</translation>
    </message>
    <message>
        <source>comma-separated, e.g. penicillin, latex</source>
        <translation>separadas por comas, p. ej. penicilina, látex</translation>
    </message>
    <message>
        <source>&amp;Register</source>
        <translation>&amp;Registrar</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Pendiente de envío</translation>
    </message>
    <message>
        <source>&amp;Discard the refused item</source>
        <translation>&amp;Descartar el elemento rechazado</translation>
    </message>
</context>
<context>
    <name>hms::client::AdmissionScreen</name>
    <message>
        <source>Admission desk</source>
        <translation>Admisión</translation>
    </message>
    <message>
        <source>Admit a patient</source>
        <translation>Ingresar paciente</translation>
    </message>
    <message>
        <source>Department of the attending doctor</source>
        <translation>Servicio del médico responsable</translation>
    </message>
    <message>
        <source>Attending doctor</source>
        <translation>Médico responsable</translation>
    </message>
    <message>
        <source>No attending doctor yet</source>
        <translation>Sin médico responsable todavía</translation>
    </message>
    <message>
        <source>Reason for admission</source>
        <translation>Motivo de ingreso</translation>
    </message>
    <message>
        <source>&amp;Department:</source>
        <translation>&amp;Servicio:</translation>
    </message>
    <message>
        <source>A&amp;ttending doctor:</source>
        <translation>Médico &amp;responsable:</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Motivo:</translation>
    </message>
    <message>
        <source>&amp;Admit to the selected bed</source>
        <translation>&amp;Ingresar en la cama seleccionada</translation>
    </message>
    <message>
        <source>Find and select the patient.</source>
        <translation>Busque y seleccione al paciente.</translation>
    </message>
    <message>
        <source>%1: select a free bed on the board.</source>
        <translation>%1: seleccione una cama libre en el panel.</translation>
    </message>
    <message>
        <source>%1: bed %2 is not free; select a free bed.</source>
        <translation>%1: la cama %2 no está libre; seleccione una cama libre.</translation>
    </message>
    <message>
        <source>Admit %1 to bed %2.</source>
        <translation>Ingresar a %1 en la cama %2.</translation>
    </message>
    <message>
        <source>Admitting…</source>
        <translation>Ingresando…</translation>
    </message>
    <message>
        <source>Not admitted: %1</source>
        <translation>No ingresado: %1</translation>
    </message>
    <message>
        <source>%1 is admitted.</source>
        <translation>%1 ha sido ingresado/a.</translation>
    </message>
</context>
<context>
    <name>hms::client::ApiClient</name>
    <message>
        <source>The server&apos;s certificate is not trusted.</source>
        <translation>El certificado del servidor no es de confianza.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate has expired.</source>
        <translation>El certificado del servidor ha caducado.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not valid yet.</source>
        <translation>El certificado del servidor aún no es válido.</translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not for %1: the host name does not match.</source>
        <translation>El certificado del servidor no es para %1: el nombre del equipo no coincide.</translation>
    </message>
    <message>
        <source>%1 holds no PEM certificate.</source>
        <translation>%1 no contiene ningún certificado PEM.</translation>
    </message>
    <message>
        <source>The server cannot be reached.</source>
        <translation>No se puede conectar con el servidor.</translation>
    </message>
</context>
<context>
    <name>hms::client::AppointmentModel</name>
    <message>
        <source>Booked</source>
        <translation>Reservada</translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation>Llegada registrada</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Cuándo</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>Médico</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
</context>
<context>
    <name>hms::client::AppointmentsScreen</name>
    <message>
        <source>Appointments</source>
        <translation>Citas</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Servicio</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>Médico</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>Servicio:</translation>
    </message>
    <message>
        <source>Doctor:</source>
        <translation>Médico:</translation>
    </message>
    <message>
        <source>Date:</source>
        <translation>Fecha:</translation>
    </message>
    <message>
        <source>Free slots</source>
        <translation>Huecos libres</translation>
    </message>
    <message>
        <source>Book for a patient</source>
        <translation>Reservar para un paciente</translation>
    </message>
    <message>
        <source>Reason for the visit</source>
        <translation>Motivo de la consulta</translation>
    </message>
    <message>
        <source>&amp;Reason (optional):</source>
        <translation>&amp;Motivo (opcional):</translation>
    </message>
    <message>
        <source>&amp;Book the selected slot</source>
        <translation>&amp;Reservar el hueco seleccionado</translation>
    </message>
    <message>
        <source>Appointments of the selected patient</source>
        <translation>Citas del paciente seleccionado</translation>
    </message>
    <message>
        <source>Check &amp;in</source>
        <translation>Registrar &amp;llegada</translation>
    </message>
    <message>
        <source>&amp;Move to the selected slot</source>
        <translation>&amp;Mover al hueco seleccionado</translation>
    </message>
    <message>
        <source>Reason for cancelling</source>
        <translation>Motivo de la cancelación</translation>
    </message>
    <message>
        <source>Ca&amp;ncel appointment</source>
        <translation>Ca&amp;ncelar cita</translation>
    </message>
    <message>
        <source>Token number</source>
        <translation>Número de turno</translation>
    </message>
    <message>
        <source>No department is set up yet.</source>
        <translation>Todavía no hay ningún servicio configurado.</translation>
    </message>
    <message>
        <source>Any doctor</source>
        <translation>Cualquier médico</translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation>No realizado: %1</translation>
    </message>
    <message>
        <source>Select a free slot and the patient first.</source>
        <translation>Seleccione primero un hueco libre y el paciente.</translation>
    </message>
    <message>
        <source>Booked %1 for %2.</source>
        <translation>Reservado %1 para %2.</translation>
    </message>
    <message>
        <source>Select a booked appointment and give the reason for cancelling.</source>
        <translation>Seleccione una cita reservada e indique el motivo de la cancelación.</translation>
    </message>
    <message>
        <source>The appointment is cancelled; its slot is free again.</source>
        <translation>La cita está cancelada; su hueco vuelve a estar libre.</translation>
    </message>
    <message>
        <source>Select the appointment and the free slot to move it to.</source>
        <translation>Seleccione la cita y el hueco libre al que moverla.</translation>
    </message>
    <message>
        <source>An appointment moves to a slot of its own doctor (%1); cancel and book to change the doctor.</source>
        <translation>Una cita solo se mueve a un hueco de su propio médico (%1); para cambiar de médico, cancélela y reserve otra.</translation>
    </message>
    <message>
        <source>The appointment is moved to %1.</source>
        <translation>La cita se ha movido a %1.</translation>
    </message>
    <message>
        <source>Token %1</source>
        <translation>Turno %1</translation>
    </message>
    <message>
        <source>Checked in.</source>
        <translation>Llegada registrada.</translation>
    </message>
</context>
<context>
    <name>hms::client::AsNeededModel</name>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>not given yet</source>
        <translation>aún no administrado</translation>
    </message>
    <message numerus="yes">
        <source>%n dose(s)</source>
        <translation>
            <numerusform>%n dosis</numerusform>
            <numerusform>%n dosis</numerusform>
        </translation>
    </message>
    <message>
        <source>Room / bed</source>
        <translation>Habitación / cama</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Drug</source>
        <translation>Medicamento</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>Dosis</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Vía</translation>
    </message>
    <message>
        <source>Indication / instructions</source>
        <translation>Indicación / instrucciones</translation>
    </message>
    <message>
        <source>Last given</source>
        <translation>Última administración</translation>
    </message>
    <message>
        <source>Last 24 h</source>
        <translation>Últimas 24 h</translation>
    </message>
</context>
<context>
    <name>hms::client::AuditModel</name>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Cuándo</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Id. de usuario</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>Entity</source>
        <translation>Entidad</translation>
    </message>
    <message>
        <source>Entity id</source>
        <translation>Id. de entidad</translation>
    </message>
    <message>
        <source>Patient id</source>
        <translation>Id. de paciente</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Resultado</translation>
    </message>
</context>
<context>
    <name>hms::client::AuditScreen</name>
    <message>
        <source>Audit</source>
        <translation>Auditoría</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <source>Action, e.g. patient.create</source>
        <translation>Acción, p. ej. patient.create</translation>
    </message>
    <message>
        <source>Entity, e.g. patient</source>
        <translation>Entidad, p. ej. patient</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Id. de usuario</translation>
    </message>
    <message>
        <source>Patient id</source>
        <translation>Id. de paciente</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>Any outcome</source>
        <translation>Cualquier resultado</translation>
    </message>
    <message>
        <source>Success</source>
        <translation>Correcto</translation>
    </message>
    <message>
        <source>Denied</source>
        <translation>Denegado</translation>
    </message>
    <message>
        <source>Failure</source>
        <translation>Fallo</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Hasta</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Buscar</translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation>Entradas de auditoría</translation>
    </message>
    <message numerus="yes">
        <source>%n entry(s) shown.</source>
        <translation>
            <numerusform>Se muestra %n entrada.</numerusform>
            <numerusform>Se muestran %n entradas.</numerusform>
        </translation>
    </message>
    <message>
        <source>Request %1 from %2. Details: %3</source>
        <translation>Solicitud %1 desde %2. Detalles: %3</translation>
    </message>
</context>
<context>
    <name>hms::client::BedBoardScreen</name>
    <message>
        <source>Bed board</source>
        <translation>Panel de camas</translation>
    </message>
    <message>
        <source>Select a bed.</source>
        <translation>Seleccione una cama.</translation>
    </message>
    <message numerus="yes">
        <source>%n free bed(s)</source>
        <translation>
            <numerusform>%n cama libre</numerusform>
            <numerusform>%n camas libres</numerusform>
        </translation>
    </message>
    <message>
        <source>Bed %1: %2</source>
        <translation>Cama %1: %2</translation>
    </message>
    <message>
        <source>Bed %1, room %2: %3%4</source>
        <translation>Cama %1, habitación %2: %3%4</translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation> (%1)</translation>
    </message>
</context>
<context>
    <name>hms::client::BedModel</name>
    <message>
        <source>Free</source>
        <translation>Libre</translation>
    </message>
    <message>
        <source>Occupied</source>
        <translation>Ocupada</translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation>Reservada</translation>
    </message>
    <message>
        <source>Cleaning</source>
        <translation>En limpieza</translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation>En mantenimiento</translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation>%1
%2</translation>
    </message>
</context>
<context>
    <name>hms::client::DoctorNames</name>
    <message>
        <source>Doctor #%1</source>
        <translation>Médico n.º %1</translation>
    </message>
</context>
<context>
    <name>hms::client::DueDoseModel</name>
    <message>
        <source>Overdue</source>
        <translation>Atrasada</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (overdue)</source>
        <translation>%1 (atrasada)</translation>
    </message>
    <message>
        <source>Room / bed</source>
        <translation>Habitación / cama</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Drug</source>
        <translation>Medicamento</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>Dosis</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Vía</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Hora prevista</translation>
    </message>
</context>
<context>
    <name>hms::client::DueMedicationsScreen</name>
    <message>
        <source>given</source>
        <translation>administrada</translation>
    </message>
    <message>
        <source>held</source>
        <translation>suspendida</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>rechazada por el paciente</translation>
    </message>
    <message>
        <source>Due medications</source>
        <translation>Medicación pendiente</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Read the list again (F5)</source>
        <translation>Volver a leer la lista (F5)</translation>
    </message>
    <message>
        <source>Due doses</source>
        <translation>Dosis pendientes</translation>
    </message>
    <message>
        <source>Reason (held or refused)</source>
        <translation>Motivo (suspendida o rechazada)</translation>
    </message>
    <message>
        <source>Why the dose is held or refused</source>
        <translation>Por qué se suspende o se rechaza la dosis</translation>
    </message>
    <message>
        <source>R&amp;eason:</source>
        <translation>Mo&amp;tivo:</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Given</source>
        <translation>Administrada</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>Suspendida</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>Rechazada</translation>
    </message>
    <message>
        <source>As needed (PRN)</source>
        <translation>Si precisa (SP)</translation>
    </message>
    <message>
        <source>As-needed orders</source>
        <translation>Pautas si precisa</translation>
    </message>
    <message>
        <source>Indication of the PRN dose</source>
        <translation>Indicación de la dosis si precisa</translation>
    </message>
    <message>
        <source>Why the patient needs it now (e.g. pain 6/10)</source>
        <translation>Por qué la necesita ahora el paciente (p. ej. dolor 6/10)</translation>
    </message>
    <message>
        <source>I&amp;ndication:</source>
        <translation>I&amp;ndicación:</translation>
    </message>
    <message>
        <source>Give PRN dose</source>
        <translation>Administrar dosis SP</translation>
    </message>
    <message>
        <source>due %1 – %2</source>
        <translation>previstas %1 – %2</translation>
    </message>
    <message numerus="yes">
        <source>%n dose(s) to record</source>
        <translation>
            <numerusform>%n dosis por registrar</numerusform>
            <numerusform>%n dosis por registrar</numerusform>
        </translation>
    </message>
    <message>
        <source>A PRN dose needs its indication (why it is given now).</source>
        <translation>Una dosis si precisa necesita su indicación (por qué se administra ahora).</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>Registrando…</translation>
    </message>
    <message>
        <source>Not recorded: %1</source>
        <translation>No registrado: %1</translation>
    </message>
    <message>
        <source>PRN dose of %1 recorded for %2</source>
        <translation>Dosis SP de %1 registrada para %2</translation>
    </message>
    <message>
        <source>A held or refused dose needs the reason.</source>
        <translation>Una dosis suspendida o rechazada necesita el motivo.</translation>
    </message>
    <message>
        <source>Recorded for %1: %2</source>
        <translation>Registrado para %1: %2</translation>
    </message>
</context>
<context>
    <name>hms::client::DuplicateDialog</name>
    <message>
        <source>Possible duplicate</source>
        <translation>Posible duplicado</translation>
    </message>
    <message>
        <source>This patient may already be registered. Check the candidates below; if none is the same person, register anyway and say why.</source>
        <translation>Puede que este paciente ya esté registrado. Revise los candidatos; si ninguno es la misma persona, regístrelo de todos modos e indique por qué.</translation>
    </message>
    <message>
        <source>A patient with this national id is already registered.</source>
        <translation>Ya hay un paciente registrado con este documento de identidad.</translation>
    </message>
    <message>
        <source>Candidates</source>
        <translation>Candidatos</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>NHC</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>&amp;Back to the form</source>
        <translation>&amp;Volver al formulario</translation>
    </message>
    <message>
        <source>Reason to register anyway</source>
        <translation>Motivo para registrarlo de todos modos</translation>
    </message>
    <message>
        <source>Why is this a different person?</source>
        <translation>¿Por qué es una persona distinta?</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>Motivo:</translation>
    </message>
    <message>
        <source>Register &amp;anyway</source>
        <translation>Registrar de &amp;todos modos</translation>
    </message>
</context>
<context>
    <name>hms::client::LoginController</name>
    <message>
        <source>Your saved sign-in could not be read. Please sign in.</source>
        <translation>No se pudo leer la sesión guardada. Inicie sesión.</translation>
    </message>
    <message>
        <source>Your saved sign-in has expired. Please sign in.</source>
        <translation>La sesión guardada ha caducado. Inicie sesión.</translation>
    </message>
    <message>
        <source>Enter the server address.</source>
        <translation>Introduzca la dirección del servidor.</translation>
    </message>
    <message>
        <source>Use an address like https://hms.example.org:8443.</source>
        <translation>Use una dirección como https://hms.example.org:8443.</translation>
    </message>
    <message>
        <source>Enter the hospital code.</source>
        <translation>Introduzca el código del hospital.</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>Introduzca su nombre de usuario.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>Introduzca su contraseña.</translation>
    </message>
    <message>
        <source>You will stay signed in on this computer.</source>
        <translation>Su sesión seguirá abierta en este equipo.</translation>
    </message>
    <message>
        <source>No keychain service is available on this computer, so your sign-in was not remembered. Nothing was saved.</source>
        <translation>Este equipo no tiene servicio de llavero, así que no se ha recordado la sesión. No se ha guardado nada.</translation>
    </message>
    <message>
        <source>The keychain refused to keep your sign-in, so it was not remembered. Nothing was saved. (%1)</source>
        <translation>El llavero no aceptó guardar la sesión, así que no se ha recordado. No se ha guardado nada. (%1)</translation>
    </message>
    <message>
        <source>Your session has ended. Please sign in again.</source>
        <translation>Su sesión ha terminado. Vuelva a iniciar sesión.</translation>
    </message>
    <message>
        <source>You have signed out.</source>
        <translation>Ha cerrado la sesión.</translation>
    </message>
    <message>
        <source>Secure connection refused: %1 Nothing was sent. (%2)</source>
        <translation>Conexión segura rechazada: %1 No se ha enviado nada. (%2)</translation>
    </message>
    <message>
        <source>Cannot reach the server at %1. (%2)</source>
        <translation>No se puede conectar con el servidor en %1. (%2)</translation>
    </message>
    <message>
        <source>Sign-in failed: the hospital code, user name or password is wrong.</source>
        <translation>No se pudo iniciar sesión: el código del hospital, el usuario o la contraseña son incorrectos.</translation>
    </message>
    <message>
        <source>Too many sign-in attempts. Wait a minute and try again.</source>
        <translation>Demasiados intentos de inicio de sesión. Espere un minuto y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>Check the marked fields.</source>
        <translation>Revise los campos marcados.</translation>
    </message>
    <message>
        <source>The server is temporarily unavailable. Try again shortly.</source>
        <translation>El servidor no está disponible en este momento. Vuelva a intentarlo en breve.</translation>
    </message>
    <message>
        <source>Sign-in failed: %1</source>
        <translation>No se pudo iniciar sesión: %1</translation>
    </message>
</context>
<context>
    <name>hms::client::LoginView</name>
    <message>
        <source>Signing in…</source>
        <translation>Iniciando sesión…</translation>
    </message>
    <message>
        <source>Sign &amp;in</source>
        <translation>&amp;Entrar</translation>
    </message>
</context>
<context>
    <name>hms::client::MainWindow</name>
    <message>
        <source>HMS</source>
        <translation>HMS</translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation>Estado de la conexión</translation>
    </message>
    <message>
        <source>Signed-in user</source>
        <translation>Usuario conectado</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Hospital</source>
        <translation>Hospital</translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation>Pendiente de envío</translation>
    </message>
    <message>
        <source>Notice</source>
        <translation>Aviso</translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation>Navegación</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>Hospital: %1</source>
        <translation>Hospital: %1</translation>
    </message>
    <message>
        <source>The offline outbox cannot be used (%1): without the server, nothing can be kept.</source>
        <translation>No se puede usar la bandeja de salida sin conexión (%1): sin servidor no se puede guardar nada.</translation>
    </message>
    <message>
        <source>HMS — %1</source>
        <translation>HMS — %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>&amp;Ir a</translation>
    </message>
    <message>
        <source>HMS — Sign in</source>
        <translation>HMS — Iniciar sesión</translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation>reconectando</translation>
    </message>
    <message>
        <source>online</source>
        <translation>conectado</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>sin conexión</translation>
    </message>
    <message>
        <source>&amp;Call next patient</source>
        <translation>&amp;Llamar al siguiente paciente</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting to be sent</source>
        <translation>
            <numerusform>%n pendiente de envío</numerusform>
            <numerusform>%n pendientes de envío</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hms::client::Navigation</name>
    <message>
        <source>Patients</source>
        <translation>Pacientes</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>Registrar</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Cola</translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation>Citas</translation>
    </message>
    <message>
        <source>Admission desk</source>
        <translation>Admisión</translation>
    </message>
    <message>
        <source>Bed board</source>
        <translation>Panel de camas</translation>
    </message>
    <message>
        <source>Vitals</source>
        <translation>Signos vitales</translation>
    </message>
    <message>
        <source>Due medications</source>
        <translation>Medicación pendiente</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <source>Audit</source>
        <translation>Auditoría</translation>
    </message>
    <message>
        <source>Find a patient by name, MRN or phone number.</source>
        <translation>Buscar un paciente por nombre, NHC o teléfono.</translation>
    </message>
    <message>
        <source>Register a new patient.</source>
        <translation>Registrar un paciente nuevo.</translation>
    </message>
    <message>
        <source>The OPD queue: check patients in and call the next.</source>
        <translation>La cola de consultas externas: registrar la llegada de pacientes y llamar al siguiente.</translation>
    </message>
    <message>
        <source>Book, move and cancel appointments; check booked patients in.</source>
        <translation>Reservar, mover y cancelar citas; registrar la llegada de los pacientes citados.</translation>
    </message>
    <message>
        <source>Admit a patient to a free bed.</source>
        <translation>Ingresar a un paciente en una cama libre.</translation>
    </message>
    <message>
        <source>Wards and beds at a glance.</source>
        <translation>Plantas y camas de un vistazo.</translation>
    </message>
    <message>
        <source>Chart an inpatient&apos;s vitals and nursing notes; see the vitals chart.</source>
        <translation>Registrar los signos vitales y las notas de enfermería de un paciente ingresado; ver la gráfica de constantes.</translation>
    </message>
    <message>
        <source>The ward&apos;s due doses: record them as given, held or refused.</source>
        <translation>Las dosis pendientes de la planta: registrarlas como administradas, suspendidas o rechazadas.</translation>
    </message>
    <message>
        <source>Staff accounts and their roles.</source>
        <translation>Cuentas del personal y sus roles.</translation>
    </message>
    <message>
        <source>Who did what, and when.</source>
        <translation>Quién hizo qué y cuándo.</translation>
    </message>
    <message>
        <source>Prescriptions to dispense and stock.</source>
        <translation>Recetas por dispensar y existencias.</translation>
    </message>
    <message>
        <source>Lab orders and result entry.</source>
        <translation>Peticiones de laboratorio y registro de resultados.</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>Médico</translation>
    </message>
    <message>
        <source>Nurse</source>
        <translation>Enfermería</translation>
    </message>
    <message>
        <source>Reception</source>
        <translation>Recepción</translation>
    </message>
    <message>
        <source>Pharmacy</source>
        <translation>Farmacia</translation>
    </message>
    <message>
        <source>Lab</source>
        <translation>Laboratorio</translation>
    </message>
</context>
<context>
    <name>hms::client::NavigationModel</name>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
</context>
<context>
    <name>hms::client::Outbox</name>
    <message>
        <source>The offline outbox is not available.</source>
        <translation>La bandeja de salida sin conexión no está disponible.</translation>
    </message>
    <message>
        <source>The offline outbox could not save this.</source>
        <translation>La bandeja de salida sin conexión no pudo guardar esto.</translation>
    </message>
</context>
<context>
    <name>hms::client::PatientPicker</name>
    <message>
        <source>Patient search</source>
        <translation>Búsqueda de pacientes</translation>
    </message>
    <message>
        <source>Patient: name, MRN or phone</source>
        <translation>Paciente: nombre, NHC o teléfono</translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation>Pacientes coincidentes</translation>
    </message>
</context>
<context>
    <name>hms::client::PatientSearchModel</name>
    <message>
        <source>The search failed.</source>
        <translation>La búsqueda ha fallado.</translation>
    </message>
    <message>
        <source>%1 (estimated)</source>
        <translation>%1 (estimada)</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>NHC</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
</context>
<context>
    <name>hms::client::PatientsScreen</name>
    <message>
        <source>Patients</source>
        <translation>Pacientes</translation>
    </message>
    <message>
        <source>Search patients</source>
        <translation>Buscar pacientes</translation>
    </message>
    <message>
        <source>Name, MRN or phone number</source>
        <translation>Nombre, NHC o teléfono</translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation>Pacientes coincidentes</translation>
    </message>
    <message>
        <source>Patient card</source>
        <translation>Ficha del paciente</translation>
    </message>
    <message>
        <source>Select a patient.</source>
        <translation>Seleccione un paciente.</translation>
    </message>
    <message>
        <source>Check in</source>
        <translation>Registrar llegada</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Servicio</translation>
    </message>
    <message>
        <source>Check &amp;in</source>
        <translation>Registrar &amp;llegada</translation>
    </message>
    <message>
        <source>Token number</source>
        <translation>Número de turno</translation>
    </message>
    <message numerus="yes">
        <source>Type at least %n character(s).</source>
        <translation>
            <numerusform>Escriba al menos %n carácter.</numerusform>
            <numerusform>Escriba al menos %n caracteres.</numerusform>
        </translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Buscando…</translation>
    </message>
    <message>
        <source>No patient matches.</source>
        <translation>Ningún paciente coincide.</translation>
    </message>
    <message numerus="yes">
        <source>%n patient(s) shown.</source>
        <translation>
            <numerusform>Se muestra %n paciente.</numerusform>
            <numerusform>Se muestran %n pacientes.</numerusform>
        </translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>NHC</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>%1 (estimated)</source>
        <translation>%1 (estimada)</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>National id</source>
        <translation>Documento de identidad</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>none recorded</source>
        <translation>ninguna registrada</translation>
    </message>
    <message>
        <source>Emergency contact</source>
        <translation>Contacto de emergencia</translation>
    </message>
    <message>
        <source>%1 (%2), %3</source>
        <translation>%1 (%2), %3</translation>
    </message>
    <message>
        <source>Check in %1 (%2) to %3</source>
        <translation>Registrar la llegada de %1 (%2) a %3</translation>
    </message>
    <message>
        <source>Checking in…</source>
        <translation>Registrando llegada…</translation>
    </message>
    <message>
        <source>Checked in to %1.</source>
        <translation>Llegada registrada en %1.</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>The server cannot be reached. The check-in is kept and will be sent when it is back; the token number comes then.</source>
        <translation>No se puede conectar con el servidor. La llegada se guarda y se enviará cuando vuelva; el número de turno llegará entonces.</translation>
    </message>
    <message>
        <source>Two letters match whole words only; type a third to match part of a name.</source>
        <translation>Con dos letras solo coinciden palabras completas; escriba una tercera para buscar parte de un nombre.</translation>
    </message>
</context>
<context>
    <name>hms::client::PlaceholderScreen</name>
    <message>
        <source>This screen is coming in a later release.</source>
        <translation>Esta pantalla llegará en una versión posterior.</translation>
    </message>
</context>
<context>
    <name>hms::client::QueueModel</name>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>Llamado</translation>
    </message>
    <message>
        <source>In consultation</source>
        <translation>En consulta</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Atendido</translation>
    </message>
    <message>
        <source>No show</source>
        <translation>No se presentó</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n min</numerusform>
            <numerusform>%n min</numerusform>
        </translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Turno</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>MRN</source>
        <translation>NHC</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Waited</source>
        <translation>Espera</translation>
    </message>
</context>
<context>
    <name>hms::client::QueueScreen</name>
    <message>
        <source>Queue</source>
        <translation>Cola</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>Servicio</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>Servicio:</translation>
    </message>
    <message>
        <source>Call next (F9)</source>
        <translation>Llamar al siguiente (F9)</translation>
    </message>
    <message>
        <source>Call next patient</source>
        <translation>Llamar al siguiente paciente</translation>
    </message>
    <message>
        <source>Now calling</source>
        <translation>Llamando ahora</translation>
    </message>
    <message>
        <source>Queue board</source>
        <translation>Panel de la cola</translation>
    </message>
    <message>
        <source>No department is set up yet.</source>
        <translation>Todavía no hay ningún servicio configurado.</translation>
    </message>
    <message numerus="yes">
        <source>%n waiting.</source>
        <translation>
            <numerusform>%n en espera.</numerusform>
            <numerusform>%n en espera.</numerusform>
        </translation>
    </message>
    <message>
        <source>Now calling: %1</source>
        <translation>Llamando ahora: %1</translation>
    </message>
    <message>
        <source>Nobody is waiting.</source>
        <translation>No hay nadie en espera.</translation>
    </message>
</context>
<context>
    <name>hms::client::RegisterScreen</name>
    <message>
        <source>Female</source>
        <translation>Mujer</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Hombre</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Otro</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Desconocido</translation>
    </message>
    <message>
        <source>A registration kept offline was sent: MRN %1.</source>
        <translation>Se ha enviado un registro guardado sin conexión: NHC %1.</translation>
    </message>
    <message>
        <source>Registering…</source>
        <translation>Registrando…</translation>
    </message>
    <message>
        <source>Registered %1 with MRN %2.</source>
        <translation>%1 registrado/a con NHC %2.</translation>
    </message>
    <message>
        <source>Register %1</source>
        <translation>Registrar a %1</translation>
    </message>
    <message>
        <source>The server cannot be reached. The registration is kept and will be sent when the server is back (see below).</source>
        <translation>No se puede conectar con el servidor. El registro se guarda y se enviará cuando el servidor vuelva (ver abajo).</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Refused: %1 (%2)</source>
        <translation>Rechazado: %1 (%2)</translation>
    </message>
    <message>
        <source>Pending: %1 (kept %2)</source>
        <translation>Pendiente: %1 (guardado %2)</translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) waiting to be sent:</source>
        <translation>
            <numerusform>%n elemento pendiente de envío:</numerusform>
            <numerusform>%n elementos pendientes de envío:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hms::client::SlotModel</name>
    <message>
        <source>%1–%2  %3</source>
        <translation>%1–%2  %3</translation>
    </message>
</context>
<context>
    <name>hms::client::UserModel</name>
    <message>
        <source>Active</source>
        <translation>Activo</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Usuario</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
</context>
<context>
    <name>hms::client::UsersScreen</name>
    <message>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <source>Filter users</source>
        <translation>Filtrar usuarios</translation>
    </message>
    <message>
        <source>Filter by name, role or state</source>
        <translation>Filtrar por nombre, rol o estado</translation>
    </message>
    <message>
        <source>Staff accounts</source>
        <translation>Cuentas del personal</translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation>&amp;Desactivar</translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation>&amp;Activar</translation>
    </message>
    <message>
        <source>Un&amp;lock</source>
        <translation>Des&amp;bloquear</translation>
    </message>
    <message>
        <source>New role</source>
        <translation>Nuevo rol</translation>
    </message>
    <message>
        <source>Set &amp;role</source>
        <translation>Asignar &amp;rol</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>Nueva contraseña</translation>
    </message>
    <message>
        <source>Reset &amp;password</source>
        <translation>Restablecer &amp;contraseña</translation>
    </message>
    <message>
        <source>Add a user</source>
        <translation>Añadir un usuario</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>&amp;Usuario</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nombre</translation>
    </message>
    <message>
        <source>R&amp;ole</source>
        <translation>R&amp;ol</translation>
    </message>
    <message>
        <source>Pass&amp;word</source>
        <translation>Contra&amp;seña</translation>
    </message>
    <message>
        <source>&amp;Add user</source>
        <translation>Añadir &amp;usuario</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 updated.</source>
        <translation>%1 actualizado.</translation>
    </message>
    <message>
        <source>%1 has a new role.</source>
        <translation>%1 tiene un rol nuevo.</translation>
    </message>
    <message>
        <source>%1 was added.</source>
        <translation>Se ha añadido a %1.</translation>
    </message>
</context>
<context>
    <name>hms::client::VitalsModel</name>
    <message>
        <source>Taken</source>
        <translation>Tomada</translation>
    </message>
    <message>
        <source>Temp °C</source>
        <translation>Temp. °C</translation>
    </message>
    <message>
        <source>Pulse /min</source>
        <translation>Pulso /min</translation>
    </message>
    <message>
        <source>BP mmHg</source>
        <translation>TA mmHg</translation>
    </message>
    <message>
        <source>SpO₂ %</source>
        <translation>SpO₂ %</translation>
    </message>
    <message>
        <source>Resp /min</source>
        <translation>Resp. /min</translation>
    </message>
    <message>
        <source>Pain 0–10</source>
        <translation>Dolor 0–10</translation>
    </message>
</context>
<context>
    <name>hms::client::VitalsScreen</name>
    <message>
        <source>Vitals</source>
        <translation>Signos vitales</translation>
    </message>
    <message>
        <source>Inpatients</source>
        <translation>Pacientes ingresados</translation>
    </message>
    <message>
        <source>&amp;Inpatients:</source>
        <translation>Pacientes &amp;ingresados:</translation>
    </message>
    <message>
        <source>Select an inpatient.</source>
        <translation>Seleccione un paciente ingresado.</translation>
    </message>
    <message>
        <source>&amp;Temperature</source>
        <translation>&amp;Temperatura</translation>
    </message>
    <message>
        <source>°C (25–45)</source>
        <translation>°C (25–45)</translation>
    </message>
    <message>
        <source>&amp;Pulse</source>
        <translation>&amp;Pulso</translation>
    </message>
    <message>
        <source>/min (20–250)</source>
        <translation>/min (20–250)</translation>
    </message>
    <message>
        <source>BP s&amp;ystolic</source>
        <translation>TA s&amp;istólica</translation>
    </message>
    <message>
        <source>mmHg (50–260)</source>
        <translation>mmHg (50–260)</translation>
    </message>
    <message>
        <source>BP &amp;diastolic</source>
        <translation>TA &amp;diastólica</translation>
    </message>
    <message>
        <source>mmHg (20–160, below systolic)</source>
        <translation>mmHg (20–160, menor que la sistólica)</translation>
    </message>
    <message>
        <source>Sp&amp;O₂</source>
        <translation>Sp&amp;O₂</translation>
    </message>
    <message>
        <source>% (50–100)</source>
        <translation>% (50–100)</translation>
    </message>
    <message>
        <source>R&amp;espiration</source>
        <translation>Fr. r&amp;espiratoria</translation>
    </message>
    <message>
        <source>/min (4–60)</source>
        <translation>/min (4–60)</translation>
    </message>
    <message>
        <source>P&amp;ain score</source>
        <translation>Escala de &amp;dolor</translation>
    </message>
    <message>
        <source>0–10</source>
        <translation>0–10</translation>
    </message>
    <message>
        <source>&amp;Record vitals</source>
        <translation>&amp;Registrar signos vitales</translation>
    </message>
    <message>
        <source>Record vitals (%1)</source>
        <translation>Registrar signos vitales (%1)</translation>
    </message>
    <message>
        <source>Vitals chart</source>
        <translation>Gráfica de constantes</translation>
    </message>
    <message>
        <source>Chart, newest first:</source>
        <translation>Gráfica, lo más reciente primero:</translation>
    </message>
    <message>
        <source>Nursing note</source>
        <translation>Nota de enfermería</translation>
    </message>
    <message>
        <source>Nursing &amp;note:</source>
        <translation>&amp;Nota de enfermería:</translation>
    </message>
    <message>
        <source>Add &amp;note</source>
        <translation>Añadir &amp;nota</translation>
    </message>
    <message>
        <source>%1   %2 (%3)</source>
        <translation>%1   %2 (%3)</translation>
    </message>
    <message>
        <source>No inpatient on this ward.</source>
        <translation>No hay pacientes ingresados en esta planta.</translation>
    </message>
    <message>
        <source>That patient is no longer on this ward.</source>
        <translation>Ese paciente ya no está en esta planta.</translation>
    </message>
    <message>
        <source>must be a number</source>
        <translation>debe ser un número</translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation>debe ser un número entero</translation>
    </message>
    <message>
        <source>Not recorded: check the values marked in red.</source>
        <translation>No registrado: revise los valores marcados en rojo.</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>Registrando…</translation>
    </message>
    <message>
        <source>Not recorded: %1</source>
        <translation>No registrado: %1</translation>
    </message>
    <message>
        <source>Vitals recorded.</source>
        <translation>Signos vitales registrados.</translation>
    </message>
    <message>
        <source>Note not saved: %1</source>
        <translation>Nota no guardada: %1</translation>
    </message>
    <message>
        <source>Nursing note saved.</source>
        <translation>Nota de enfermería guardada.</translation>
    </message>
</context>
</TS>
