"""Files in the layout Code for America's gogen writes (exporter/doj_writer.go, gogen 0.2.13 and
gogen_pilots 0.2.12): the 95 DOJ columns (or the 20 condensed ones) followed by its findings.

Rows are written as Go's encoding/csv writes them: comma separated, "\\n" line ends, no BOM,
cells copied from the DOJ file untrimmed ("x       ", "NULL  "), quoted when they contain a
comma or begin with a space.
"""

from __future__ import annotations

from pathlib import Path

DOJ_FULL = (
    "RECORD_ID,SUBJECT_STATUS,SUBJECT_ID,REQ_SEG_SEP,REQ_CII_NUMBER,REQ_NAME,REQ_GENDER,REQ_DOB,REQ_CDL,REQ_SSN,PII_SEG_SEP,CII_NUMBER,PRI_NAME,GENDER,"
    "PRI_DOB,PRI_SSN,PRI_CDL,PRI_IDN,PRI_INN,FBI_NUMBER,PDR_SEG_SEP,RACE_CODE,RACE_DESCR,EYE_COLOR_CODE,EYE_COLOR_DESCR,HAIR_COLOR_CODE,HAIR_COLOR_DESCR,"
    "HEIGHT,WEIGHT,SINGLE_SOURCE,MULTI_SOURCE,POB_CODE,POB_NAME,POB_TYPE,CITIZENSHIP_LIST,CYC_SEG_SEP,CYC_ORDER,CYC_DATE,STP_SEG_SEP,STP_ORDER,"
    "STP_EVENT_DATE,STP_TYPE_CODE,STP_TYPE_DESCR,STP_ORI_TYPE,STP_ORI_TYPE_DESCR,STP_ORI_CODE,STP_ORI_DESCR,STP_ORI_CNTY_CODE,STP_ORI_CNTY_NAME,"
    "CNT_SEG_SEP,CNT_ORDER,DISP_DATE,OFN,OFFENSE_CODE,OFFENSE_DESCR,OFFENSE_TOC,OFFENSE_QUAL_LST,DISP_OFFENSE_CODE,DISP_OFFENSE_DESCR,DISP_OFFENSE_TOC,"
    "DISP_OFFENSE_QUAL_LST,CONV_OFFENSE_ORDER,CONV_OFFENSE_CODE,CONV_OFFENSE_DESCR,CONV_OFFENSE_TOC,CONV_OFFENSE_QUAL_LST,FE_NUM_ORDER,FE_NUM_ARR_AGY,"
    "FE_NUM_BNCH_WARR,FE_NUM_CITE,FE_NUM_DOCKET,FE_NUM_INCIDENT,FE_NUM_BOOKING,FE_NUM_NUMBER,FE_NUM_REMAND,FE_NUM_OOS_INN,FE_NUM_CRT_CASE,FE_NUM_WARRANT,"
    "DISP_ORDER,DISP_CODE,DISP_DESCR,CONV_STAT_CODE,CONV_STAT_DESCR,SENT_SEG_SEP,SENT_ORDER,SENT_LOC_CODE,SENT_LOC_DESCR,SENT_LENGTH,SENT_TIME_CODE,"
    "SENT_TIME_DESCR,CYC_AGE,CII_TYPE,CII_TYPE_ALPHA,COMMENT_TEXT,END_OF_REC"
).split(",")
DOJ_CONDENSED = (
    "CII_NUMBER,PRI_NAME,GENDER,PRI_DOB,RACE_DESCR,CYC_DATE,STP_EVENT_DATE,STP_ORI_DESCR,STP_ORI_CNTY_NAME,DISP_DATE,OFN,OFFENSE_DESCR,DISP_DESCR,"
    "CONV_STAT_DESCR,SENT_LOC_DESCR,SENT_LENGTH,SENT_TIME_CODE,CYC_AGE,COMMENT_TEXT,END_OF_REC"
).split(",")
FINDINGS = [  # gogen 0.2.13 (master): 18 columns
    "Case Number", "# of convictions on record", "Possible Other P64 Charges", "Occurred after 11/9/2016", "Superstrike Code Section(s)",
    "PC290 Code Section(s)", "PC290 Registration", "Date of Conviction", "Years Since This Conviction", "Years Since Any Conviction",
    "# of Prop 64 convictions", "# of HS 11357 convictions", "# of HS 11358 convictions", "# of HS 11359 convictions", "# of HS 11360 convictions",
    "Deceased", "Eligibility Determination", "Eligibility Reason",
]
PILOTS_FINDINGS = [name for name in FINDINGS if name != "Occurred after 11/9/2016"]  # gogen_pilots 0.2.12: 17 columns (the 112-column file)
assert len(DOJ_FULL) == 95 and len(DOJ_CONDENSED) == 20 and len(FINDINGS) == 18


def count(cii: str, name: str, dob: str, cnt_order: str, *, offense: str = "11358 HS-CULTIVATE CANNABIS", determination: str = "Eligible for Dismissal",
          reason: str = "Dismiss all HS 11358 convictions", conviction: str = "04/11/1981", case: str = "NULL  ; 140192", deceased: str = "-",
          county: str = "SACRAMENTO", event: str = "19810411") -> dict[str, str]:
    """One conviction row with its findings (a determination of "" is a row gogen left without one)."""
    findings = determination != ""
    return {
        "RECORD_ID": "x", "SUBJECT_ID": cii.lstrip("A"), "CII_NUMBER": cii, "PRI_NAME": name, "PRI_DOB": dob, "PRI_SSN": "x       ",
        "CYC_DATE": event, "STP_EVENT_DATE": event, "STP_TYPE_DESCR": "COURT ACTION", "STP_ORI_DESCR": "CASC" + county,
        "STP_ORI_CNTY_NAME": county, "CNT_ORDER": cnt_order, "DISP_DATE": event, "OFN": "NULL  ", "OFFENSE_DESCR": offense, "OFFENSE_TOC": "F",
        "OFFENSE_QUAL_LST": "                       ", "DISP_DESCR": "CONVICTED-PROBATION", "DISP_CODE": "     ", "CONV_STAT_DESCR": "FELONY",
        "SENT_TIME_DESCR": "MONTHS   ", "CYC_AGE": "25",
        **({"Case Number": case, "# of convictions on record": "2", "Occurred after 11/9/2016": "N", "Superstrike Code Section(s)": "-",
            "PC290 Code Section(s)": "-", "PC290 Registration": "-", "Date of Conviction": conviction, "Years Since This Conviction": "38.6",
            "Years Since Any Conviction": "38.6", "# of Prop 64 convictions": "1", "Deceased": deceased, "Eligibility Determination": determination,
            "Eligibility Reason": reason} if findings else {}),
    }


def arrest(cii: str, name: str, dob: str, cnt_order: str) -> dict[str, str]:
    """An arrest row: gogen writes it with empty findings."""
    return {"CII_NUMBER": cii, "PRI_NAME": name, "PRI_DOB": dob, "CNT_ORDER": cnt_order, "STP_TYPE_DESCR": "ARREST/DETAINED/CITED",
            "OFFENSE_DESCR": "11357 HS-POSSESS MARIJUANA", "STP_EVENT_DATE": "19790525", "CYC_DATE": "19790525", "DISP_DESCR": "REL/TOT OTHER JURIS/AUTH"}


def _cell(value: str) -> str:
    """As Go's encoding/csv writes a field: quoted when it has a comma, a quote or a line break, or begins with a space."""
    if any(c in value for c in ',"\r\n') or value.startswith(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


def write(path: Path, rows: list[dict[str, str]], *, condensed: bool = False, findings: list[str] = FINDINGS) -> Path:
    header = (DOJ_CONDENSED if condensed else DOJ_FULL) + findings
    lines = [",".join(_cell(h) for h in header)] + [",".join(_cell(row.get(h, "")) for h in header) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
