<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>LoginView</name>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in to HMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>https://hms.example.org:8443</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server URL error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Hospital:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hospital code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hospital code error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remember me on this computer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remember me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keeps the sign-in in the system keychain, never in a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in notice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Your role may not do this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the request (%1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ward:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This server has no inpatient (IPD) module yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No ward is set up yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RegisterScreen</name>
    <message>
        <source>Register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register a patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full &amp;name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Full name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Date of birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date unknown: &amp;estimated age in years</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimated age</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>+49 30 1234567</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>National &amp;id (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>National id (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Address (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;City (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>City (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency contact (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Relation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Contact phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;llergies (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allergies (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comma-separated, e.g. penicillin, latex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Discard the refused item</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::AdmissionScreen</name>
    <message>
        <source>Admission desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admit a patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department of the attending doctor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attending doctor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No attending doctor yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for admission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Admit to the selected bed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find and select the patient.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: select a free bed on the board.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: bed %2 is not free; select a free bed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admit %1 to bed %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admitting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not admitted: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is admitted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Department:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ttending doctor:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::ApiClient</name>
    <message>
        <source>The server&apos;s certificate is not trusted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server cannot be reached.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s certificate has expired.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not valid yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server&apos;s certificate is not for %1: the host name does not match.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 holds no PEM certificate.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::AppointmentModel</name>
    <message>
        <source>Booked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::AppointmentsScreen</name>
    <message>
        <source>Appointments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Doctor:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free slots</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Book for a patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for the visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Book the selected slot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appointments of the selected patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check &amp;in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Move to the selected slot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason for cancelling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ca&amp;ncel appointment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No department is set up yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any doctor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a free slot and the patient first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Booked %1 for %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a booked appointment and give the reason for cancelling.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The appointment is cancelled; its slot is free again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the appointment and the free slot to move it to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An appointment moves to a slot of its own doctor (%1); cancel and book to change the doctor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The appointment is moved to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reason (optional):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::AsNeededModel</name>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not given yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n dose(s)</source>
        <translation>
            <numerusform>%n dose</numerusform>
            <numerusform>%n doses</numerusform>
        </translation>
    </message>
    <message>
        <source>Room / bed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Route</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Indication / instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 h</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::AuditModel</name>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entity id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::AuditScreen</name>
    <message>
        <source>Audit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action, e.g. patient.create</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Entity, e.g. patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Success</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n entry(s) shown.</source>
        <translation>
            <numerusform>%n entry shown.</numerusform>
            <numerusform>%n entries shown.</numerusform>
        </translation>
    </message>
    <message>
        <source>Request %1 from %2. Details: %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::BedBoardScreen</name>
    <message>
        <source>Bed board</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a bed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n free bed(s)</source>
        <translation>
            <numerusform>%n free bed</numerusform>
            <numerusform>%n free beds</numerusform>
        </translation>
    </message>
    <message>
        <source>Bed %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bed %1, room %2: %3%4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::BedModel</name>
    <message>
        <source>Free</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Occupied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reserved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cleaning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maintenance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
%2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::DoctorNames</name>
    <message>
        <source>Doctor #%1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::DueDoseModel</name>
    <message>
        <source>Overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (overdue)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Room / bed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Route</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::DueMedicationsScreen</name>
    <message>
        <source>given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due medications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the list again (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due doses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason (held or refused)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why the dose is held or refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;eason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Given</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Held</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>due %1 – %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n dose(s) to record</source>
        <translation>
            <numerusform>%n dose to record</numerusform>
            <numerusform>%n doses to record</numerusform>
        </translation>
    </message>
    <message>
        <source>A held or refused dose needs the reason.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not recorded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recorded for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As needed (PRN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As-needed orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Indication of the PRN dose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why the patient needs it now (e.g. pain 6/10)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>I&amp;ndication:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give PRN dose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A PRN dose needs its indication (why it is given now).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PRN dose of %1 recorded for %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::DuplicateDialog</name>
    <message>
        <source>Possible duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This patient may already be registered. Check the candidates below; if none is the same person, register anyway and say why.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A patient with this national id is already registered.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Candidates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MRN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Back to the form</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason to register anyway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is this a different person?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register &amp;anyway</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::LoginController</name>
    <message>
        <source>Your saved sign-in could not be read. Please sign in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your saved sign-in has expired. Please sign in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the server address.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use an address like https://hms.example.org:8443.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the hospital code.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You will stay signed in on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No keychain service is available on this computer, so your sign-in was not remembered. Nothing was saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The keychain refused to keep your sign-in, so it was not remembered. Nothing was saved. (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your session has ended. Please sign in again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You have signed out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secure connection refused: %1 Nothing was sent. (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach the server at %1. (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in failed: the hospital code, user name or password is wrong.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too many sign-in attempts. Wait a minute and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the marked fields.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is temporarily unavailable. Try again shortly.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::LoginView</name>
    <message>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;in</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::MainWindow</name>
    <message>
        <source>HMS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signed-in user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hospital</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting to be sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Navigation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hospital: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The offline outbox cannot be used (%1): without the server, nothing can be kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HMS — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HMS — Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Call next patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n waiting to be sent</source>
        <translation>
            <numerusform>%n waiting to be sent</numerusform>
            <numerusform>%n waiting to be sent</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hms::client::Navigation</name>
    <message>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appointments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admission desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bed board</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find a patient by name, MRN or phone number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register a new patient.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The OPD queue: check patients in and call the next.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Book, move and cancel appointments; check booked patients in.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Admit a patient to a free bed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wards and beds at a glance.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff accounts and their roles.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Who did what, and when.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prescriptions to dispense and stock.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lab orders and result entry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nurse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reception</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pharmacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vitals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due medications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart an inpatient&apos;s vitals and nursing notes; see the vitals chart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The ward&apos;s due doses: record them as given, held or refused.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::NavigationModel</name>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::Outbox</name>
    <message>
        <source>The offline outbox is not available.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The offline outbox could not save this.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::PatientPicker</name>
    <message>
        <source>Patient search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient: name, MRN or phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::PatientSearchModel</name>
    <message>
        <source>The search failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (estimated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MRN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::PatientsScreen</name>
    <message>
        <source>Patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name, MRN or phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Matching patients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Patient card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a patient.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check &amp;in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token number</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Type at least %n character(s).</source>
        <translation>
            <numerusform>Type at least %n character.</numerusform>
            <numerusform>Type at least %n characters.</numerusform>
        </translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No patient matches.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n patient(s) shown.</source>
        <translation>
            <numerusform>%n patient shown.</numerusform>
            <numerusform>%n patients shown.</numerusform>
        </translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MRN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (estimated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>National id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emergency contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2), %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check in %1 (%2) to %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked in to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server cannot be reached. The check-in is kept and will be sent when it is back; the token number comes then.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Two letters match whole words only; type a third to match part of a name.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::PlaceholderScreen</name>
    <message>
        <source>This screen is coming in a later release.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::QueueModel</name>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Called</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In consultation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
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
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MRN</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waited</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::QueueScreen</name>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Department:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call next (F9)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Call next patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now calling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue board</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No department is set up yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n waiting.</source>
        <translation>
            <numerusform>%n waiting.</numerusform>
            <numerusform>%n waiting.</numerusform>
        </translation>
    </message>
    <message>
        <source>Now calling: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nobody is waiting.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::RegisterScreen</name>
    <message>
        <source>Female</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Male</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A registration kept offline was sent: MRN %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registering…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registered %1 with MRN %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server cannot be reached. The registration is kept and will be sent when the server is back (see below).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pending: %1 (kept %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n item(s) waiting to be sent:</source>
        <translation>
            <numerusform>%n item waiting to be sent:</numerusform>
            <numerusform>%n items waiting to be sent:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>hms::client::SlotModel</name>
    <message>
        <source>%1–%2  %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::UserModel</name>
    <message>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::UsersScreen</name>
    <message>
        <source>Users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter users</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter by name, role or state</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Staff accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Disable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Enable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Un&amp;lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set &amp;role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset &amp;password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;ole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pass&amp;word</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add user</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 updated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 has a new role.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was added.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::VitalsModel</name>
    <message>
        <source>Taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temp °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pulse /min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BP mmHg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SpO₂ %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resp /min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pain 0–10</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>hms::client::VitalsScreen</name>
    <message>
        <source>Vitals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inpatients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Inpatients:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an inpatient.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>°C (25–45)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pulse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>/min (20–250)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BP s&amp;ystolic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mmHg (50–260)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BP &amp;diastolic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mmHg (20–160, below systolic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sp&amp;O₂</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>% (50–100)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>R&amp;espiration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>/min (4–60)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>P&amp;ain score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0–10</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Record vitals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Record vitals (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vitals chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chart, newest first:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nursing note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nursing &amp;note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add &amp;note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1   %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No inpatient on this ward.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That patient is no longer on this ward.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>must be a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not recorded: check the values marked in red.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not recorded: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vitals recorded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nursing note saved.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
