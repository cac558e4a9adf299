//! Closed sets of values stored as text: each enum maps one-to-one onto the string kept in the
//! database and written in seed and import files (`in-law`, `city-government`, ...), and is
//! the GraphQL enum clients see. [`as_str`](TargetStatus::as_str) gives the stored string,
//! [`from_stored`](TargetStatus::from_stored) reads it back; serde accepts only the stored
//! strings, so an unknown value in a seed or import line fails with its field path.

macro_rules! stored_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$variant_meta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Deserialize, async_graphql::Enum,
        )]
        pub enum $name {
            $( $(#[$variant_meta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The string stored in the database and written in seed and import files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The value a stored string names, if any.
            pub fn from_stored(value: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|candidate| candidate.as_str() == value)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

stored_enum! {
    /// Where a practice is in its life cycle: `DRAFT` → `SUBMITTED` → `PUBLISHED` or
    /// `REJECTED` → `ARCHIVED`.
    PracticeStatus {
        /// Being written; only its owner (and moderators, admins) see it.
        Draft => "draft",
        /// Waiting for a moderator's review.
        Submitted => "submitted",
        /// Visible to everybody.
        Published => "published",
        /// Not published; `reviewReason` says why. Its owner may edit it and submit it again.
        Rejected => "rejected",
        /// Withdrawn; only its owner, moderators and admins see it.
        Archived => "archived",
    }
}

stored_enum! {
    /// How firmly a city's climate target is set, from a pledge to a target already met.
    TargetStatus {
        /// Announced or pledged (e.g. to a network), not yet adopted in a plan or law.
        Pledge => "pledge",
        /// Adopted in a council-approved policy or climate action plan.
        InPolicy => "in-policy",
        /// Set in binding law (national or local legislation).
        InLaw => "in-law",
        /// Reached: the city reports the target as met.
        Achieved => "achieved",
    }
}

stored_enum! {
    /// A sector of emissions a city's climate targets cover (the GPC's sectors, with buildings
    /// and energy supply apart, and consumption-based emissions).
    TargetSector {
        /// Heating, cooling and electricity use in residential, commercial and public buildings.
        Buildings => "buildings",
        /// Road, rail, water and air transport within the city.
        Transport => "transport",
        /// Solid waste and wastewater.
        Waste => "waste",
        /// Industrial energy use and industrial processes and product use.
        Industry => "industry",
        /// Generating electricity and district heat.
        EnergySupply => "energy-supply",
        /// Agriculture, forestry and other land use.
        LandUse => "land-use",
        /// Emissions of goods and services consumed in the city, wherever they are produced.
        Consumption => "consumption",
    }
}

stored_enum! {
    /// What sort of organisation a record describes.
    OrganisationKind {
        /// A membership network of cities, such as C40, ICLEI or Eurocities.
        Network => "network",
        /// A campaign or programme cities commit to, such as UN Race to Zero, the Covenant of
        /// Mayors or the EU Cities Mission.
        Initiative => "initiative",
        /// A body that provides funding or advice (a bank, agency, foundation or programme).
        Funder => "funder",
        /// An intergovernmental body, such as a UN agency; it has no country seat.
        InternationalBody => "international-body",
        /// A non-governmental, non-profit organisation.
        Ngo => "ngo",
        /// A university or research institute.
        Research => "research",
        /// A private company.
        Company => "company",
        /// A city administration acting as an organisation (e.g. a city climate agency).
        CityGovernment => "city-government",
    }
}

stored_enum! {
    /// The level of government that carries out a practice.
    GovernanceLevel {
        /// One municipality.
        City => "city",
        /// A metropolitan area or a group of neighbouring municipalities.
        Metropolitan => "metropolitan",
        /// A region, province or state below the national level.
        Regional => "regional",
        /// A national government.
        National => "national",
        /// Several levels together (e.g. city, region and national agencies).
        MultiLevel => "multi-level",
    }
}

stored_enum! {
    /// A city's standing in a network it belongs to.
    MembershipRole {
        /// A member city.
        Member => "member",
        /// A city that founded the network.
        FoundingMember => "founding member",
        /// An innovator city (Carbon Neutral Cities Alliance's category for cities that join
        /// to pilot and share solutions).
        InnovatorCity => "innovator city",
        /// A participating city of an initiative or programme that has no formal membership.
        Participant => "participant",
        /// A participating city that was part of the initiative from its start.
        FoundingParticipant => "founding participant",
    }
}

stored_enum! {
    /// A criterion of a commitment a city has met: UN Race to Zero's "5 Ps".
    CommitmentCriterion {
        /// Pledged publicly to reach net zero by 2050 at the latest, with an interim target.
        Pledge => "pledge",
        /// Published a plan of action within a year of joining.
        Plan => "plan",
        /// Taking immediate action towards the targets.
        Proceed => "proceed",
        /// Reporting progress publicly at least once a year.
        Publish => "publish",
        /// Persuading others (cities, companies, peers) to join.
        Persuade => "persuade",
    }
}

stored_enum! {
    /// What a city-to-city partnership does.
    PartnershipKind {
        /// Cities learning from each other (study visits, mentoring, peer reviews).
        PeerLearning => "peer-learning",
        /// Municipalities of one metropolitan area planning or acting together.
        MetroArea => "metro-area",
        /// Cities tendering together or aligning tender criteria.
        JointProcurement => "joint-procurement",
        /// Cities building or running shared infrastructure.
        JointInfrastructure => "joint-infrastructure",
        /// Cities speaking with one voice to governments or the EU.
        CollectiveAdvocacy => "advocacy",
    }
}

stored_enum! {
    /// Where a partnership stands.
    PartnershipStatus {
        /// Running.
        Active => "active",
        /// Ended, having done its work.
        Completed => "completed",
        /// Planned or proposed, not started.
        Proposed => "proposed",
    }
}

stored_enum! {
    /// What a city does in a partnership.
    PartnershipRole {
        /// Shares its experience with a learner (e.g. Tokyo supporting Kuala Lumpur).
        Mentor => "mentor",
        /// Learns from a mentor.
        Learner => "learner",
        /// Leads or coordinates the partnership.
        Lead => "lead",
        /// Takes part as one of equal partners.
        Member => "member",
        /// Follows the work without committing to it.
        Observer => "observer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_reads_back_from_its_stored_string() {
        for status in TargetStatus::ALL {
            assert_eq!(TargetStatus::from_stored(status.as_str()), Some(*status));
        }
        for kind in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::from_stored(kind.as_str()), Some(*kind));
        }
        for sector in TargetSector::ALL {
            assert_eq!(TargetSector::from_stored(sector.as_str()), Some(*sector));
        }
        for level in GovernanceLevel::ALL {
            assert_eq!(GovernanceLevel::from_stored(level.as_str()), Some(*level));
        }
        for role in MembershipRole::ALL {
            assert_eq!(MembershipRole::from_stored(role.as_str()), Some(*role));
        }
        for kind in PartnershipKind::ALL {
            assert_eq!(PartnershipKind::from_stored(kind.as_str()), Some(*kind));
        }
        for role in PartnershipRole::ALL {
            assert_eq!(PartnershipRole::from_stored(role.as_str()), Some(*role));
        }
        for status in PartnershipStatus::ALL {
            assert_eq!(
                PartnershipStatus::from_stored(status.as_str()),
                Some(*status)
            );
        }
        for criterion in CommitmentCriterion::ALL {
            assert_eq!(
                CommitmentCriterion::from_stored(criterion.as_str()),
                Some(*criterion)
            );
        }
    }

    #[test]
    fn stored_strings_are_the_ones_the_data_uses() {
        assert_eq!(TargetStatus::InLaw.as_str(), "in-law");
        assert_eq!(OrganisationKind::CityGovernment.as_str(), "city-government");
        assert_eq!(GovernanceLevel::MultiLevel.as_str(), "multi-level");
        assert_eq!(MembershipRole::FoundingMember.as_str(), "founding member");
        assert_eq!(TargetStatus::from_stored("in_law"), None);
    }

    #[test]
    fn serde_reads_only_stored_strings() {
        let level: GovernanceLevel = serde_json::from_str("\"multi-level\"").unwrap();
        assert_eq!(level, GovernanceLevel::MultiLevel);
        let error = serde_json::from_str::<GovernanceLevel>("\"MULTI_LEVEL\"").unwrap_err();
        assert!(error.to_string().contains("unknown variant"), "{error}");
    }
}
