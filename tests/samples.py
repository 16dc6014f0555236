"""Small hand-written CyberTipline documents for tests: valid by construction, fictional people only."""

from __future__ import annotations

from xml.sax.saxutils import escape


def report_xml(
    *,
    incident_type: str = "Child Pornography (possession, manufacture, and distribution)",
    incident_at: str = "2026-03-05T14:30:00Z",
    platform: str = "ExampleChat",
    email: str = "offender.one@example.org",
    ip: str = "192.0.2.10",
    additional_info: str = "Account uploaded one file.",
    extra_person: str = "",
    esp_identifier: str = "12345",
    phone: str = "3023125001",
    device: str = "000000000000001",
    prior_reports: tuple[str, ...] = (),
    profile_bio: str | None = None,
) -> bytes:
    """A CyberTipline `report` document that validates against the schema."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<report>
  <incidentSummary>
    <incidentType>{escape(incident_type)}</incidentType>
    <platform>{escape(platform)}</platform>
    <incidentDateTime>{incident_at}</incidentDateTime>
  </incidentSummary>
  <internetDetails>
    <chatImIncident><chatClient>{escape(platform)}</chatClient><content>chat</content></chatImIncident>
  </internetDetails>
  <reporter>
    <reportingPerson>
      <firstName>Trust</firstName><lastName>Team</lastName>
      <email>safety@example.com</email>
    </reportingPerson>
  </reporter>
  <personOrUserReported>
    <personOrUserReportedPerson>
      <firstName>Max</firstName><lastName>Mustermann</lastName>
      <phone countryCallingCode="+49">{escape(phone)}</phone>
      <email verified="true">{escape(email)}</email>
      <address>
        <address>Beispielstrasse 1</address><city>Mainz</city><zipCode>55116</zipCode><country>DE</country>
      </address>
      <dateOfBirth>1980-01-02</dateOfBirth>
    </personOrUserReportedPerson>
    <espIdentifier>{escape(esp_identifier)}</espIdentifier>
    <espService>{escape(platform)}</espService>
    <screenName>max_example</screenName>
    {f"<profileBio>{escape(profile_bio)}</profileBio>" if profile_bio else ""}
    <ipCaptureEvent>
      <ipAddress>{ip}</ipAddress><eventName>Upload</eventName><dateTime>2026-03-05T14:29:00Z</dateTime>
    </ipCaptureEvent>
    <deviceId><idType>IMEI</idType><idValue>{escape(device)}</idValue></deviceId>
    {"".join(f"<priorCTReports>{escape(p)}</priorCTReports>" for p in prior_reports)}
  </personOrUserReported>
  {extra_person}
  <additionalInfo>{escape(additional_info)}</additionalInfo>
</report>
""".encode()


def file_details_xml(report_id: str, file_id: str = "f1", md5: str = "0" * 32) -> bytes:
    """A `fileDetails` document attached to `report_id`, with an EXIF capture time."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fileDetails>
  <reportId>{report_id}</reportId>
  <fileId>{file_id}</fileId>
  <fileName>{file_id}.jpg</fileName>
  <uploadedToEspTimestamp>2026-03-05T14:29:00Z</uploadedToEspTimestamp>
  <fileViewedByEsp>true</fileViewedByEsp>
  <publiclyAvailable>false</publiclyAvailable>
  <industryClassification>A1</industryClassification>
  <originalFileHash hashType="MD5">{md5}</originalFileHash>
  <details type="EXIF">
    <nameValuePair><name>DateTimeOriginal</name><value>2026:03:05 14:21:00</value></nameValuePair>
    <nameValuePair><name>OffsetTimeOriginal</name><value>+00:00</value></nameValuePair>
  </details>
</fileDetails>
""".encode()
