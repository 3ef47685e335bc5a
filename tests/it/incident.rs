//! CIMS incidents (DOMAIN §4): scope, classification, follow-up, stages and flags.

use cims::domain::commands::Command;
use cims::domain::model::{
    AboriginalStatus, CareArrangement, Circumstance, Details, HarmKind, Impact, Incident, RcsScope,
    Subject, SubjectRelation,
};
use cims::domain::policy::Condition;
use cims::domain::refusal::RefusalKind;
use cims::domain::rules::{holds, incident as rules};

use cims::domain::submissions::SubmissionKind;

use crate::fixtures::*;

fn with(f: impl FnOnce(&mut Incident)) -> Incident {
    let mut i = incident();
    f(&mut i);
    i
}

fn create_refusal(i: Incident) -> cims::domain::refusal::Refusal {
    match create(
        Details::Incident(i),
        &practitioner(),
        melb("2026-11-23 11:00"),
    ) {
        Ok(_) => panic!("the incident was registered"),
        Err(refusal) => refusal,
    }
}

fn cond(i: Incident, condition: Condition) -> bool {
    holds(condition, &new_incident(i), current())
}

// ------------------------------------------------------------------ scope

#[test]
fn r_scope_1_harm_in_approved_care_is_registered() {
    let record = new_incident(incident());
    assert_eq!(record.stage, "identification_response");
    assert_eq!(record.version, 2, "creation and the awareness milestone");
}

#[test]
fn r_scope_1_likely_serious_harm_is_in_scope_but_no_harm_is_not() {
    assert!(rules::check_scope(&with(|i| i.harm = HarmKind::LikelySeriousHarm)).is_ok());
    let refusal = create_refusal(with(|i| i.harm = HarmKind::NoHarm));
    assert_eq!(refusal.rule, Some("R-SCOPE-1"));
}

#[test]
fn r_scope_2_parental_care_family_arranged_and_assessed_kinship_are_refused() {
    for care in [
        CareArrangement::ParentalCare,
        CareArrangement::KinshipFamilyArranged,
        CareArrangement::KinshipUnderAssessment,
    ] {
        let refusal = create_refusal(with(|i| i.care_arrangement = care));
        assert_eq!(refusal.rule, Some("R-SCOPE-2"), "{care:?}");
        assert_eq!(refusal.field.as_deref(), Some("care_arrangement"));
        assert!(!refusal.message.is_empty());
    }
}

#[test]
fn r_scope_2_cp_approved_kinship_respite_and_practitioner_transport_are_in_scope() {
    for care in [
        CareArrangement::KinshipCpApproved,
        CareArrangement::RespiteCpApproved,
        CareArrangement::WithPractitioner,
    ] {
        assert!(rules::check_scope(&with(|i| i.care_arrangement = care)).is_ok());
    }
}

#[test]
fn r_scope_3_cso_managed_placements_are_reported_by_the_cso() {
    use cims::domain::actor::OrgKind;
    assert_eq!(
        rules::responsible_org_kind(CareArrangement::KinshipCsoManaged),
        OrgKind::Cso
    );
    assert_eq!(
        rules::responsible_org_kind(CareArrangement::KinshipCpApproved),
        OrgKind::Department
    );
}

#[test]
fn r_scope_4_illness_and_own_dangerous_actions_are_not_incidents() {
    for harm in [HarmKind::Illness, HarmKind::OwnDangerousActions] {
        let refusal = create_refusal(with(|i| i.harm = harm));
        assert_eq!(refusal.rule, Some("R-SCOPE-4"));
    }
}

// ---------------------------------------------------- classification and impact

#[test]
fn r_type_1_unknown_or_repeated_types_are_refused() {
    let refusal = create_refusal(with(|i| i.primary_type = "assault".into()));
    assert_eq!(refusal.rule, Some("R-TYPE-1"));
    assert_eq!(refusal.field.as_deref(), Some("primary_type"));
    let refusal = create_refusal(with(|i| i.secondary_type = Some("physical_abuse".into())));
    assert_eq!(refusal.rule, Some("R-TYPE-1"));
    let ok = with(|i| i.secondary_type = Some("emotional_psychological_harm".into()));
    assert!(rules::check_classification(&ok, current()).is_ok());
}

#[test]
fn r_impact_2_abuse_by_staff_or_carer_must_be_major() {
    for (relation, kind) in [
        (SubjectRelation::Staff, "physical_abuse"),
        (SubjectRelation::Carer, "neglect"),
        (
            SubjectRelation::KinshipCarer,
            "sexual_exploitation_grooming",
        ),
        (
            SubjectRelation::DepartmentalStaff,
            "emotional_psychological_abuse",
        ),
    ] {
        let refusal = create_refusal(with(|i| {
            i.primary_type = kind.into();
            i.impact = Some(Impact::NonMajor);
            i.subject = Some(Subject {
                relation,
                person: None,
            });
        }));
        assert_eq!(refusal.rule, Some("R-IMPACT-2"), "{relation:?} {kind}");
        assert_eq!(refusal.field.as_deref(), Some("impact"));
    }
}

#[test]
fn r_impact_2_does_not_apply_between_clients_or_to_other_types() {
    let between_clients = with(|i| {
        i.impact = Some(Impact::NonMajor);
        i.subject = Some(Subject {
            relation: SubjectRelation::Client,
            person: None,
        });
    });
    assert!(rules::check_classification(&between_clients, current()).is_ok());
    let explained_injury = with(|i| {
        i.primary_type = "injury_explained".into();
        i.impact = Some(Impact::NonMajor);
    });
    assert!(rules::check_classification(&explained_injury, current()).is_ok());
}

#[test]
fn r_impact_2_is_enforced_on_update_too() {
    let record = new_incident(incident());
    let refusal = refused(
        &record,
        Command::UpdateIncident {
            incident: with(|i| i.impact = Some(Impact::NonMajor)),
            correction: None,
        },
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.rule, Some("R-IMPACT-2"));
}

#[test]
fn r_impact_1_report_is_not_endorsed_before_impact_is_classified() {
    let mut record = new_incident(with(|i| i.impact = None));
    record = complete_stage_1(record);
    record = ready_to_endorse(record, &practitioner(), melb("2026-11-23 14:00"));
    let refusal = refused(
        &record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 15:00"),
    );
    assert_eq!(refusal.rule, Some("R-IMPACT-1"));
}

// ------------------------------------------------------------------ follow-up

#[test]
fn r_impact_1_a_death_is_major_by_definition_at_creation_and_on_update() {
    let death = |secondary: bool, impact| {
        with(|i| {
            if secondary {
                i.secondary_type = Some("death".into());
            } else {
                i.primary_type = "death".into();
            }
            i.subject = None;
            i.impact = impact;
        })
    };
    for secondary in [false, true] {
        let refusal = create_refusal(death(secondary, Some(Impact::NonMajor)));
        assert_eq!(refusal.rule, Some("R-IMPACT-1"), "secondary: {secondary}");
        assert_eq!(refusal.field.as_deref(), Some("impact"));
        assert!(refusal.message.contains("Death"), "{}", refusal.message);
    }
    let record = new_incident(death(false, Some(Impact::Major)));
    let refusal = refused(
        &record,
        Command::UpdateIncident {
            incident: death(false, Some(Impact::NonMajor)),
            correction: None,
        },
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.rule, Some("R-IMPACT-1"));
    // Not yet classified is allowed: the impact is decided before endorsement.
    assert!(rules::check_classification(&death(false, None), current()).is_ok());
}

#[test]
fn r_impact_1_which_types_are_major_by_definition_is_policy_data() {
    use cims::domain::policy::TypeTag;
    for policy in cims::domain::policy::PolicySet::embedded()
        .expect("the embedded policies load")
        .eras()
    {
        assert!(
            policy.type_has("death", TypeTag::AlwaysMajor),
            "{}: death is major by definition",
            policy.id
        );
        assert!(!policy.type_has("injury_explained", TypeTag::AlwaysMajor));
    }
}

#[test]
fn r_followup_1_investigation_for_abuse_by_staff_neglect_unexplained_injury_and_client_abuse() {
    let required = |i: Incident| rules::investigation_required(&i, current());
    assert!(required(incident()));
    assert!(required(with(|i| i.primary_type = "neglect".into())));
    assert!(required(with(|i| {
        i.primary_type = "injury_unexplained".into();
        i.subject = None;
    })));
    assert!(required(with(|i| {
        i.primary_type = "sexual_abuse".into();
        i.subject = Some(Subject {
            relation: SubjectRelation::Client,
            person: None,
        });
    })));
    assert!(!required(with(|i| {
        i.primary_type = "self_harm".into();
        i.subject = None;
    })));
    assert!(!required(with(|i| {
        i.primary_type = "physical_abuse".into();
        i.subject = Some(Subject {
            relation: SubjectRelation::Other,
            person: None,
        });
    })));
}

#[test]
fn r_followup_2_major_incidents_get_a_review_non_major_do_not() {
    assert!(cond(
        with(|i| {
            i.primary_type = "self_harm".into();
            i.subject = None;
        }),
        Condition::ReviewRequired
    ));
    assert!(!cond(
        with(|i| {
            i.primary_type = "self_harm".into();
            i.subject = None;
            i.impact = Some(Impact::NonMajor);
        }),
        Condition::ReviewRequired
    ));
}

#[test]
fn r_followup_2_delegate_may_skip_the_review_only_when_an_investigation_covered_it() {
    let investigated = new_incident(incident());
    let skipped = ok(
        investigated,
        Command::SkipReview {
            reason: "the investigation covered quality and improvement".into(),
        },
        &delegate(),
        melb("2026-11-24 09:00"),
    );
    assert!(!holds(Condition::ReviewRequired, &skipped, current()));

    let not_investigated = new_incident(with(|i| {
        i.primary_type = "self_harm".into();
        i.subject = None;
    }));
    let refusal = refused(
        &not_investigated,
        Command::SkipReview {
            reason: "not needed".into(),
        },
        &delegate(),
        melb("2026-11-24 09:00"),
    );
    assert_eq!(refusal.rule, Some("R-FOLLOWUP-2"));
}

#[test]
fn r_followup_stages_3_and_4_are_skipped_when_they_do_not_apply() {
    // Self-harm, non-major: neither investigation nor review.
    let record = new_incident(with(|i| {
        i.primary_type = "self_harm".into();
        i.subject = None;
        i.impact = Some(Impact::NonMajor);
    }));
    let record = complete_stage_1(record);
    let record = complete_stage_2(record);
    assert_eq!(record.stage, "analysis_learning");
}

// ------------------------------------------------------------------ police

/// R-ORDER-1 changed this: police are told before the report is endorsed, so it is the
/// endorsement that waits, not only the end of the reporting stage.
#[test]
fn r_police_1_abuse_goes_to_police_before_the_report_is_endorsed() {
    let record = new_incident(incident());
    assert!(holds(Condition::PoliceReferral, &record, current()));
    let mut record = complete_stage_1(record);
    for item in ["classified", "report_written"] {
        record = tick(record, item, &practitioner(), melb("2026-11-23 14:10"));
    }
    let refusal = refused(
        &record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 16:00"),
    );
    assert_eq!(refusal.rule, Some("R-ORDER-1"));
    assert!(
        refusal.message.contains("Victoria Police"),
        "{}",
        refusal.message
    );
}

#[test]
fn r_police_1_an_allegation_that_becomes_physical_abuse_stops_investigation_work() {
    // Neglect is investigated without police; then the account changes to physical abuse.
    let record = into_investigation(new_incident(with(|i| i.primary_type = "neglect".into())));
    assert_eq!(record.stage, "investigation");
    // R-LOCK-1: the endorsed report covered the type; it is withdrawn to change it.
    let record = ok(
        record,
        Command::WithdrawEndorsement {
            item: "endorsed".into(),
            reason: "the child now says they were hit".into(),
        },
        &delegate(),
        melb("2026-11-26 08:30"),
    );
    let record = ok(
        record,
        Command::UpdateIncident {
            incident: incident(),
            correction: None,
        },
        &practitioner(),
        melb("2026-11-26 09:00"),
    );
    let refusal = refused(
        &record,
        Command::Tick {
            item: "investigation_plan".into(),
        },
        &investigator(),
        melb("2026-11-27 09:00"),
    );
    assert_eq!(refusal.rule, Some("R-POLICE-1"));
}

#[test]
fn r_police_1_serious_neglect_is_referred_too() {
    let neglect = with(|i| {
        i.primary_type = "neglect".into();
        i.circumstances.insert(Circumstance::SeriousNeglect);
    });
    assert!(rules::police_referral(&neglect, current()));
    let plain = with(|i| i.primary_type = "neglect".into());
    assert!(!rules::police_referral(&plain, current()));
}

#[test]
fn r_police_2_no_investigation_work_while_police_hold_it() {
    let record = new_incident(incident());
    let record = complete_stage_1(record);
    let record = tick(
        record,
        "police_notified",
        &practitioner(),
        melb("2026-11-23 16:00"),
    );
    let record = through_reporting(record);
    let record = ok(
        record,
        Command::PoliceHold,
        &practitioner(),
        melb("2026-11-25 09:00"),
    );
    let refusal = refused(
        &record,
        Command::Tick {
            item: "investigation_plan".into(),
        },
        &investigator(),
        melb("2026-11-26 09:00"),
    );
    assert_eq!(refusal.rule, Some("R-POLICE-2"));
    let record = ok(
        record,
        Command::PoliceClearance,
        &practitioner(),
        melb("2026-12-01 09:00"),
    );
    assert!(record.is_done("police_clearance"));
    let record = tick(
        record,
        "investigation_plan",
        &investigator(),
        melb("2026-12-01 10:00"),
    );
    assert!(record.is_done("investigation_plan"));
}

// ---------------------------------------------------------------- RCS and SSR

#[test]
fn r_rcs_1_kinship_or_departmental_care_raises_the_integrity_unit_item() {
    let kinship = new_incident(with(|i| {
        i.care_arrangement = CareArrangement::KinshipCpApproved
    }));
    assert!(holds(Condition::RcsPossible, &kinship, current()));
    let residential = new_incident(incident());
    assert!(!holds(Condition::RcsPossible, &residential, current()));
    // The item is completed by the Integrity Unit's answer, not by a tick.
    let refusal = refused(
        &kinship,
        Command::Tick {
            item: "rcs_scope_checked".into(),
        },
        &integrity_unit(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.kind, RefusalKind::Invalid);
    let answered = ok(
        kinship,
        Command::ConfirmRcsScope {
            scope: RcsScope::NotInScope,
        },
        &integrity_unit(),
        melb("2026-11-23 12:00"),
    );
    assert!(answered.is_done("rcs_scope_checked"));
}

#[test]
fn r_rcs_2_confirmed_scope_replaces_the_cims_investigation() {
    let kinship = new_incident(with(|i| {
        i.care_arrangement = CareArrangement::KinshipCpApproved;
        i.subject = Some(Subject {
            relation: SubjectRelation::KinshipCarer,
            person: None,
        });
    }));
    assert!(holds(Condition::CimsInvestigation, &kinship, current()));
    let confirmed = ok(
        kinship,
        Command::ConfirmRcsScope {
            scope: RcsScope::InScope,
        },
        &integrity_unit(),
        melb("2026-11-23 12:00"),
    );
    assert!(holds(Condition::RcsInScope, &confirmed, current()));
    assert!(holds(
        Condition::InvestigationRequired,
        &confirmed,
        current()
    ));
    assert!(!holds(Condition::CimsInvestigation, &confirmed, current()));
    let deadlines =
        cims::domain::deadlines::deadlines(&confirmed, policies(), melb("2026-11-23 12:00"));
    assert!(deadlines.iter().any(|d| d.id == "R-DL-RCS"));
}

#[test]
fn r_rcs_3_employees_go_through_line_manager_and_workplace_relations_kinship_carers_do_not() {
    let employee = new_incident(with(|i| {
        i.care_arrangement = CareArrangement::DepartmentalStaff;
        i.subject = Some(Subject {
            relation: SubjectRelation::DepartmentalStaff,
            person: None,
        });
    }));
    assert!(holds(Condition::RcsEmployee, &employee, current()));
    let refusal = refused(
        &employee,
        Command::Tick {
            item: "workplace_relations".into(),
        },
        &team_manager(),
        melb("2026-11-23 12:00"),
    );
    // R-ORDER-1 changed this: the order of items is its own rule.
    assert_eq!(refusal.rule, Some("R-ORDER-1"), "line manager comes first");
    let carer = new_incident(with(|i| {
        i.care_arrangement = CareArrangement::KinshipCpApproved;
        i.subject = Some(Subject {
            relation: SubjectRelation::KinshipCarer,
            person: None,
        });
    }));
    assert!(!holds(Condition::RcsEmployee, &carer, current()));
}

#[test]
fn r_ssr_1_critical_notifiable_incidents_follow_the_policy_list() {
    let critical = |f: fn(&mut Incident)| rules::ssr_critical(&with(f), current()).is_some();
    assert!(critical(|i| {
        i.circumstances.insert(Circumstance::HospitalTreatment);
    }));
    assert!(
        !critical(|_| {}),
        "physical abuse without hospital treatment"
    );
    assert!(critical(|i| {
        i.primary_type = "death".into();
        i.circumstances.insert(Circumstance::UnexpectedDeath);
    }));
    assert!(critical(
        |i| i.primary_type = "escape_from_secure_facility".into()
    ));
    assert!(!critical(|i| {
        i.primary_type = "sexual_abuse".into();
        i.circumstances.insert(Circumstance::HospitalTreatment);
    }));
    assert!(critical(|i| {
        i.primary_type = "sexual_abuse".into();
        i.circumstances.insert(Circumstance::HospitalTreatment);
        i.circumstances.insert(Circumstance::PoliceInvolved);
    }));
    assert!(critical(|i| {
        i.primary_type = "serious_risk".into();
        i.circumstances.insert(Circumstance::EmergencyEvent);
        i.circumstances.insert(Circumstance::Relocation);
    }));
}

// ---------------------------------------------------------- investigation needs

#[test]
fn r_aboriginal_1_aboriginal_client_adds_acsass_and_cultural_safety_items() {
    let record = new_incident(with(|i| {
        i.clients[0].aboriginal_status = AboriginalStatus::Aboriginal;
    }));
    assert!(holds(Condition::AboriginalClient, &record, current()));
    let record = into_investigation(record);
    let refusal = refused(
        &record,
        Command::AdvanceStage,
        &delegate(),
        melb("2026-12-10 09:00"),
    );
    assert_eq!(refusal.rule, Some("R-STAGE"));
    assert!(refusal.message.contains("ACSASS"), "{}", refusal.message);
    assert!(
        refusal.message.contains("culturally safe"),
        "{}",
        refusal.message
    );
}

#[test]
fn r_c2c_1_client_to_client_under_18_covers_both_children() {
    let both_minors = with(|i| {
        i.subject = Some(Subject {
            relation: SubjectRelation::Client,
            person: Some(person("Taylor Green", "2011-02-01")),
        });
    });
    assert!(cond(both_minors, Condition::ClientToClientMinors));
    let adult_subject = with(|i| {
        i.subject = Some(Subject {
            relation: SubjectRelation::Client,
            person: Some(person("Taylor Green", "2005-02-01")),
        });
    });
    assert!(!cond(adult_subject, Condition::ClientToClientMinors));
    let unknown_age = with(|i| {
        i.subject = Some(Subject {
            relation: SubjectRelation::Client,
            person: None,
        });
    });
    assert!(cond(unknown_age, Condition::ClientToClientMinors));
}

#[test]
fn r_kinship_1_kinship_carer_subject_adds_the_carer_considerations() {
    let record = new_incident(with(|i| {
        i.care_arrangement = CareArrangement::KinshipCpApproved;
        i.subject = Some(Subject {
            relation: SubjectRelation::KinshipCarer,
            person: None,
        });
    }));
    assert!(holds(Condition::KinshipCarerSubject, &record, current()));
    let item = current()
        .item(record.kind(), "kinship_considerations")
        .expect("item in policy");
    assert_eq!(item.rule, "R-KINSHIP-1");
}

// ------------------------------------------------------------------ stages

#[test]
fn r_stage_advance_is_refused_while_required_items_are_open_and_names_them() {
    let record = new_incident(incident());
    let refusal = refused(
        &record,
        Command::AdvanceStage,
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.rule, Some("R-STAGE"));
    assert!(
        refusal
            .message
            .contains("Client's immediate safety ensured")
    );
}

#[test]
fn r_stage_waiving_needs_an_allowed_role_and_a_reason() {
    let record = new_incident(incident());
    let waive = |reason: &str| Command::Waive {
        item: "medical_attention".into(),
        reason: reason.into(),
    };
    let forbidden = refused(
        &record,
        waive("no injury"),
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(forbidden.kind, RefusalKind::Forbidden);
    let no_reason = refused(
        &record,
        waive("   "),
        &team_manager(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(no_reason.rule, Some("R-STAGE"));
    let waived = ok(
        record,
        waive("no injury"),
        &team_manager(),
        melb("2026-11-23 12:00"),
    );
    assert!(waived.is_done("medical_attention"));
    let never = refused(
        &waived,
        Command::Waive {
            item: "immediate_safety".into(),
            reason: "x".into(),
        },
        &team_manager(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(
        never.rule,
        Some("R-STAGE"),
        "an item without waivers cannot be waived"
    );
}

#[test]
fn r_stage_items_of_a_later_stage_wait_but_deadline_obligations_may_be_met_early() {
    let record = new_incident(with(|i| {
        i.circumstances.insert(Circumstance::HospitalTreatment);
    }));
    let refusal = refused(
        &record,
        Command::Tick {
            item: "report_written".into(),
        },
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.rule, Some("R-STAGE"));
    let notified = tick(
        record,
        "ssr_notified",
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert!(notified.is_done("ssr_notified"));
}

#[test]
fn r_stage_endorsement_is_by_the_owning_organisations_delegate() {
    // A CSO registers an incident in a placement it manages.
    let mut cso_incident = incident();
    cso_incident.care_arrangement = CareArrangement::KinshipCsoManaged;
    let record = create(
        Details::Incident(cso_incident),
        &cso_delegate(),
        melb("2026-11-23 11:00"),
    )
    .expect("registers");
    let record = incident_past_stage_1(record, &cso_delegate(), melb("2026-11-23 13:00"));
    let record = ready_to_endorse(record, &cso_delegate(), melb("2026-11-23 14:00"));
    let record = ok(
        record,
        Command::ConfirmRcsScope {
            scope: RcsScope::NotInScope,
        },
        &integrity_unit(),
        melb("2026-11-23 14:30"),
    );
    // A department delegate works alongside but does not endorse another organisation's
    // report (R-AUTH-CSO changed the rule named here from R-STAGE).
    let refusal = refused(
        &record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 15:00"),
    );
    assert_eq!(refusal.rule, Some("R-AUTH-CSO"));
    let refusal = refused(
        &record,
        Command::Endorse,
        &practitioner(),
        melb("2026-11-23 15:00"),
    );
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
    let endorsed = ok(
        record,
        Command::Endorse,
        &cso_delegate(),
        melb("2026-11-23 15:00"),
    );
    assert!(endorsed.is_done("endorsed"));
}

#[test]
fn users_act_only_on_their_own_organisations_records_unless_assigned() {
    let record = new_incident(incident());
    let note = || Command::AddNote {
        category: None,
        text: "Called the unit.".into(),
        protected_spans: vec![],
    };
    let refusal = refused(&record, note(), &cso_delegate(), melb("2026-11-23 12:00"));
    assert_eq!(refusal.kind, RefusalKind::Forbidden);
    assert!(refusal.message.contains("another organisation"));
    let assigned = ok(
        record,
        Command::Assign {
            user: Some("carol".into()),
        },
        &team_manager(),
        melb("2026-11-23 12:00"),
    );
    let noted = ok(assigned, note(), &cso_delegate(), melb("2026-11-23 12:05"));
    assert_eq!(noted.notes.len(), 1);
}

#[test]
fn r_stage_a_full_incident_runs_to_closure() {
    let record = new_incident(with(|i| {
        i.primary_type = "self_harm".into();
        i.subject = None;
        i.impact = Some(Impact::NonMajor);
    }));
    let record = complete_stage_1(record);
    let record = complete_stage_2(record);
    let record = tick(
        record,
        "trends_considered",
        &practitioner(),
        melb("2026-11-30 09:00"),
    );
    let record = tick(
        record,
        "actions_tracked",
        &practitioner(),
        melb("2026-11-30 09:00"),
    );
    let closed = ok(
        record,
        Command::Close {
            reason: "actions complete".into(),
        },
        &delegate(),
        melb("2026-11-30 10:00"),
    );
    assert_eq!(closed.status, cims::domain::model::Status::Closed);
    let refusal = refused(
        &closed,
        Command::AddNote {
            category: None,
            text: "late note".into(),
            protected_spans: vec![],
        },
        &practitioner(),
        melb("2026-11-30 11:00"),
    );
    assert_eq!(refusal.kind, RefusalKind::Invalid);
}

#[test]
fn r_priv_7_privacy_breach_flag_has_a_one_business_day_deadline() {
    let record = new_incident(incident());
    let record = ok(
        record,
        Command::RaisePrivacyBreach {
            identified_at: melb("2026-11-27 16:00"),
        },
        &practitioner(),
        melb("2026-11-27 16:30"),
    );
    let list = cims::domain::deadlines::deadlines(&record, policies(), melb("2026-11-27 17:00"));
    let privacy = list
        .iter()
        .find(|d| d.id == "R-DL-PRIVACY")
        .expect("deadline");
    let due = privacy.due.as_ref().expect("due");
    // Friday → Monday 30 November, end of day.
    assert_eq!(due.at.to_rfc3339(), "2026-11-30T23:59:59+11:00");
}

#[test]
fn r_era_a_record_is_judged_by_the_policy_in_force_when_it_was_created() {
    let old = with(|i| {
        i.identified_at = melb("2023-05-01 10:00");
        i.occurred_at = None;
        i.primary_type = "sexual_exploitation".into();
    });
    let record = create(
        Details::Incident(old.clone()),
        &practitioner(),
        melb("2023-05-01 11:00"),
    )
    .expect("a 2023 record uses the 2020 policy");
    assert_eq!(record.policy, "cims-2020-02-03");
    let refusal = create(
        Details::Incident(old),
        &practitioner(),
        melb("2026-11-23 11:00"),
    )
    .expect_err("the current policy has no such type");
    assert_eq!(refusal.rule, Some("R-TYPE-1"));
}

#[test]
fn notes_are_amended_never_overwritten() {
    let record = new_incident(incident());
    let record = ok(
        record,
        Command::AddNote {
            category: None,
            text: "Spoke with Jordan.".into(),
            protected_spans: vec![],
        },
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    let record = ok(
        record,
        Command::AmendNote {
            note: 1,
            text: "Spoke with Jordan and the unit manager.".into(),
            protected_spans: vec![],
            reason: "added who was present".into(),
        },
        &practitioner(),
        melb("2026-11-23 12:05"),
    );
    let note = &record.notes[0];
    assert_eq!(note.revisions.len(), 2);
    assert_eq!(note.revisions[0].text, "Spoke with Jordan.");
    assert_eq!(
        note.revisions[1].reason.as_deref(),
        Some("added who was present")
    );
}

#[test]
fn r_priv_6_protected_spans_must_lie_on_the_text() {
    let record = new_incident(incident());
    let refusal = refused(
        &record,
        Command::AddNote {
            category: None,
            text: "short".into(),
            protected_spans: vec![cims::domain::model::Span { start: 2, end: 40 }],
        },
        &practitioner(),
        melb("2026-11-23 12:00"),
    );
    assert_eq!(refusal.rule, Some("R-PRIV-6"));
}

// ------------------------------------------------------------------ walkers

fn complete_stage_1(record: cims::domain::model::Record) -> cims::domain::model::Record {
    incident_past_stage_1(record, &practitioner(), melb("2026-11-23 13:00"))
}

fn reporting_items(mut record: cims::domain::model::Record) -> cims::domain::model::Record {
    record = tick(
        record,
        "classified",
        &practitioner(),
        melb("2026-11-23 14:10"),
    );
    record = tick(
        record,
        "report_written",
        &practitioner(),
        melb("2026-11-23 14:20"),
    );
    record = ok(
        record,
        Command::Endorse,
        &delegate(),
        melb("2026-11-23 15:00"),
    );
    accepted(
        record,
        SubmissionKind::IncidentReport,
        melb("2026-11-23 15:10"),
    )
}

/// Stage 2 for an incident without police, RCS or SSR items.
fn complete_stage_2(record: cims::domain::model::Record) -> cims::domain::model::Record {
    let record = reporting_items(record);
    ok(
        record,
        Command::AdvanceStage,
        &practitioner(),
        melb("2026-11-23 16:00"),
    )
}

fn through_reporting(record: cims::domain::model::Record) -> cims::domain::model::Record {
    complete_stage_2(record)
}

/// Through stages 1 and 2, telling police first where the incident needs it.
fn into_investigation(record: cims::domain::model::Record) -> cims::domain::model::Record {
    let mut record = complete_stage_1(record);
    if holds(Condition::PoliceReferral, &record, current()) {
        record = tick(
            record,
            "police_notified",
            &practitioner(),
            melb("2026-11-23 14:05"),
        );
    }
    complete_stage_2(record)
}

// ------------------------------------------------------------------ learning actions

fn analysis_stage_incident() -> cims::domain::model::Record {
    let record = new_incident(with(|i| {
        i.primary_type = "self_harm".into();
        i.subject = None;
        i.impact = Some(Impact::NonMajor);
    }));
    complete_stage_2(complete_stage_1(record))
}

fn raise(what: &str, owner: &str, due_on: &str) -> Command {
    Command::RaiseLearningAction {
        what: what.into(),
        owner: owner.into(),
        due_on: cims::domain::local_time::local_date(melb(&format!("{due_on} 12:00"))),
    }
}

#[test]
fn r_stage_learning_actions_come_from_an_investigation_or_review_not_earlier() {
    let early = new_incident(incident());
    let refusal = refused(
        &early,
        raise("Review the night roster", "tess", "2026-12-18"),
        &practitioner(),
        melb("2026-11-30 09:00"),
    );
    assert_eq!(refusal.rule, Some("R-STAGE"));
    let record = analysis_stage_incident();
    assert_eq!(record.stage, "analysis_learning");
    let refusal = refused(
        &record,
        raise("Review the night roster", "tess", "2026-11-27"),
        &practitioner(),
        melb("2026-11-30 09:00"),
    );
    assert_eq!(
        refusal.field.as_deref(),
        Some("due_on"),
        "a date already past"
    );
    let refusal = refused(
        &record,
        raise("  ", "tess", "2026-12-18"),
        &practitioner(),
        melb("2026-11-30 09:00"),
    );
    assert_eq!(refusal.field.as_deref(), Some("what"));
}

#[test]
fn r_stage_a_learning_action_has_its_own_deadline_and_closes_with_an_outcome() {
    let policies = policies();
    let record = ok(
        analysis_stage_incident(),
        raise("Review the night roster", "tess", "2026-12-18"),
        &practitioner(),
        melb("2026-11-30 09:00"),
    );
    let action = &record.learning_actions[0];
    assert_eq!((action.id, action.owner.as_str()), (1, "tess"));
    let deadline = |record: &cims::domain::model::Record, at: &str| {
        cims::domain::deadlines::deadlines(record, policies, melb(at))
            .into_iter()
            .find(|d| d.id == "learning_action/1")
            .expect("the action's deadline")
    };
    let due = deadline(&record, "2026-12-01 09:00");
    assert_eq!(due.rule, "R-STAGE");
    assert_eq!(
        due.due.as_ref().map(|d| d.at.with_timezone(&chrono::Utc)),
        Some(melb("2026-12-18 17:00")),
        "close of business on the due date"
    );
    assert!(matches!(
        deadline(&record, "2026-12-18 17:01").status,
        cims::domain::deadlines::Status::Overdue { .. }
    ));

    // The record cannot close while the action is open.
    let ready = tick(
        record,
        "trends_considered",
        &practitioner(),
        melb("2026-12-01 09:00"),
    );
    let ready = tick(
        ready,
        "actions_tracked",
        &practitioner(),
        melb("2026-12-01 09:00"),
    );
    let refusal = refused(
        &ready,
        Command::Close {
            reason: "done".into(),
        },
        &delegate(),
        melb("2026-12-01 10:00"),
    );
    assert_eq!(refusal.rule, Some("R-STAGE"));
    assert!(
        refusal.message.contains("learning action 1"),
        "{}",
        refusal.message
    );

    let closing = |outcome: &str| Command::CloseLearningAction {
        action: 1,
        outcome: outcome.into(),
    };
    assert_eq!(
        refused(
            &ready,
            closing(""),
            &practitioner(),
            melb("2026-12-21 09:00")
        )
        .field
        .as_deref(),
        Some("outcome")
    );
    let closed = ok(
        ready,
        closing("Roster now has two staff after 22:00"),
        &practitioner(),
        melb("2026-12-21 09:00"),
    );
    assert!(matches!(
        deadline(&closed, "2026-12-22 09:00").status,
        cims::domain::deadlines::Status::MetLate { .. }
    ));
    refused(
        &closed,
        closing("again"),
        &practitioner(),
        melb("2026-12-21 10:00"),
    );
    let done = ok(
        closed,
        Command::Close {
            reason: "actions complete".into(),
        },
        &delegate(),
        melb("2026-12-21 11:00"),
    );
    assert_eq!(done.status, cims::domain::model::Status::Closed);
}
